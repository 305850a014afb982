package io.modeld.library;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Hugging Face hub cache ({@code huggingface_hub}, llama.cpp's {@code -hf}, LM Studio's downloads):
 * {@code models--<owner>--<repo>/snapshots/<revision>/<path>} are links into {@code blobs/<sha256>}.
 * Of a file present in several revisions, the one of the revision {@code refs/main} names wins, else the
 * newest. A model is named {@code owner/repo/path} and answers to {@code hf.co/owner/repo:QUANT} on
 * Ollama's API, as Ollama names the models it pulls from Hugging Face.
 */
final class HuggingFaceCache {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private HuggingFaceCache() {
    }

    static List<Found> scan(Path root, Scan scan) {
        List<Found> found = new ArrayList<>();
        scan.looked(root);
        try (DirectoryStream<Path> repos = Files.newDirectoryStream(root, "models--*--*")) {
            for (Path repo : sorted(repos)) {
                String[] parts = repo.getFileName().toString().split("--", 3);
                if (parts.length == 3 && Files.isDirectory(repo)) {
                    try {
                        found.addAll(repo(repo, parts[1], parts[2], scan));
                    } catch (IOException | java.io.UncheckedIOException e) {
                        scan.skip(repo, "", "cannot read the repository's snapshots: " + e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            scan.skip(root, "", "cannot read the Hugging Face cache: " + e.getMessage());
        }
        return found;
    }

    private static List<Found> repo(Path repo, String owner, String name, Scan scan) throws IOException {
        Path snapshots = repo.resolve("snapshots");
        scan.looked(repo);
        if (!Files.isDirectory(snapshots)) {
            return List.of();
        }
        scan.looked(snapshots);
        List<Path> revisions = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(snapshots, Files::isDirectory)) {
            all.forEach(revisions::add);
        }
        String main = mainRevision(repo);
        revisions.sort(Comparator.comparing((Path p) -> !p.getFileName().toString().equals(main))
                .thenComparing(HuggingFaceCache::modified, Comparator.reverseOrder()));
        Map<String, Path> byPath = new LinkedHashMap<>();   // path in the repo -> the file of the winning revision
        for (Path revision : revisions) {
            try (Stream<Path> files = Files.walk(revision, 8)) {
                for (Path f : files.toList()) {
                    if (Files.isDirectory(f)) {
                        scan.looked(f);
                    } else if (GgufGroups.isGguf(f) && Files.isRegularFile(f)) {
                        byPath.putIfAbsent(revision.relativize(f).toString(), f);
                    }
                }
            }
        }
        Map<String, List<Path>> byFolder = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : byPath.entrySet()) {
            String folder = e.getKey().contains("/") ? e.getKey().substring(0, e.getKey().lastIndexOf('/')) : "";
            byFolder.computeIfAbsent(folder, k -> new ArrayList<>()).add(e.getValue());
        }
        List<Found> found = new ArrayList<>();
        for (Map.Entry<String, List<Path>> folder : byFolder.entrySet()) {
            for (GgufGroups.Group g : GgufGroups.of(folder.getValue(), scan)) {
                Path first = g.files().get(0);
                String file = first.getFileName().toString();
                String inRepo = folder.getKey().isEmpty() ? file : folder.getKey() + "/" + file;
                found.add(new Found(owner + "/" + name + "/" + inRepo,
                        "hf.co/" + Names.part(owner) + "/" + Names.part(name) + ":" + Names.tag(file),
                        g.files(), g.projector(), digest(first), null));
            }
        }
        return found;
    }

    /** The revision {@code refs/main} names, or null. */
    private static String mainRevision(Path repo) {
        try {
            return Files.readString(repo.resolve("refs").resolve("main"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** The SHA-256 a snapshot link's blob is named by (a large file's), or null. */
    private static String digest(Path file) {
        try {
            if (Files.isSymbolicLink(file)) {
                String blob = Files.readSymbolicLink(file).getFileName().toString();
                return SHA256.matcher(blob).matches() ? blob : null;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    private static List<Path> sorted(DirectoryStream<Path> paths) {
        List<Path> list = new ArrayList<>();
        paths.forEach(list::add);
        list.sort(null);
        return list;
    }
}
