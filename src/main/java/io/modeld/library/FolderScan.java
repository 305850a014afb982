package io.modeld.library;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folders searched recursively for {@code *.gguf} (links followed, loops and hidden folders skipped):
 * a {@code --library} folder names a model by its path in the folder; LM Studio's by
 * {@code publisher/repo/file}, answering to {@code publisher/repo:QUANT} on Ollama's API.
 */
final class FolderScan {

    private static final int MAX_DEPTH = 12;

    private FolderScan() {
    }

    static List<Found> scan(Path root, Scan scan, boolean lmStudio) {
        Map<Path, List<Path>> byDir = new LinkedHashMap<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), MAX_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    scan.looked(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && GgufGroups.isGguf(file)) {
                        byDir.computeIfAbsent(file.getParent(), d -> new ArrayList<>()).add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;   // unreadable, gone, or a link loop: nothing to list
                }
            });
        } catch (IOException e) {
            scan.skip(root, "", "cannot read the folder: " + e.getMessage());
        }
        List<Found> found = new ArrayList<>();
        for (List<Path> files : byDir.values()) {
            for (GgufGroups.Group g : GgufGroups.of(files, scan)) {
                Path first = g.files().get(0);
                Path rel = root.relativize(first);
                String name = rel.toString().replace('\\', '/');
                String ollama;
                if (lmStudio && rel.getNameCount() >= 3) {
                    ollama = Names.part(rel.getName(0).toString()) + "/" + Names.part(rel.getName(1).toString())
                            + ":" + Names.tag(first.getFileName().toString());
                } else {
                    ollama = Names.part(Names.stem(first.getFileName().toString())) + ":latest";
                }
                found.add(new Found(name, ollama, g.files(), g.projector(), null, null));
            }
        }
        return found;
    }
}
