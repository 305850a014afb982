package io.modeld.catalog;

import io.modeld.config.DataDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Makes the store and {@code models/} agree at startup, whatever moment a crash (or a user's hand)
 * left them at: a model recorded as downloaded whose file is missing or has another size is no longer
 * downloaded, and a folder in {@code models/} that no downloaded model owns is removed (a delete that
 * was committed but not finished, or a download whose last step was not committed).
 */
final class LocalFiles {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalFiles.class);

    private LocalFiles() {
    }

    /** The records whose file is gone, changed to not downloaded with the reason; the others are left out. */
    static List<ModelRecord> missing(DataDir dataDir, Iterable<ModelRecord> records) {
        List<ModelRecord> changed = new ArrayList<>();
        for (ModelRecord r : records) {
            if (!r.downloaded()) {
                continue;
            }
            Path file = pathOf(dataDir, r);
            long size = 0;
            for (Path part : pathsOf(dataDir, r)) {
                long partSize = sizeOf(part);
                size = partSize < 0 || size < 0 ? -1 : size + partSize;
            }
            if (size != r.file().size()) {
                String again = r.inPlace() != null ? "put it back and download the model to use it again"
                        : "download it again";
                String reason = size < 0 ? "its file " + file + " was gone at startup; " + again
                        : "its file " + file + " had " + size + " bytes instead of " + r.file().size()
                        + " at startup; " + again;
                LOG.warn("model {} ({}): {}", r.id(), r.spec().name(), reason);
                changed.add(r.withFile(null).withFailure(reason));
            }
        }
        return changed;
    }

    /** Where a downloaded model's (first) file is: in place, or under {@code models/<id>/}. */
    static Path pathOf(DataDir dataDir, ModelRecord r) {
        return r.inPlace() != null ? r.inPlace().files().get(0) : dataDir.model(r.id()).resolve(r.file().name());
    }

    /** What a downloaded model's projector is called beside its file in the store. */
    static final String PROJECTOR = ModelRecord.PROJECTOR_FILE;

    /**
     * A downloaded model's projector (images, audio): in place, the {@code mmproj} file beside it; in the store,
     * {@value #PROJECTOR} in its folder; null when it has none.
     */
    static Path projectorOf(DataDir dataDir, ModelRecord r) {
        if (r.inPlace() != null) {
            return r.inPlace().projector();
        }
        if (r.file() == null) {
            return null;
        }
        Path p = dataDir.model(r.id()).resolve(PROJECTOR);
        return java.nio.file.Files.isRegularFile(p) ? p : null;
    }

    private static final Pattern SPLIT_FIRST = Pattern.compile("(.+)-00001-of-(\\d{5})\\.gguf");

    /**
     * Every file of a downloaded model: in place, its files; in the store, the parts its record counts
     * ({@code <name>-00001-of-0000N.gguf}, as modeld names a registry's shards), else its one file. The
     * count is the record's: a client that names one upload {@code x-00001-of-99999.gguf} still has one file.
     */
    static List<Path> pathsOf(DataDir dataDir, ModelRecord r) {
        if (r.inPlace() != null) {
            return r.inPlace().files();
        }
        Path first = pathOf(dataDir, r);
        int count = r.file().parts();
        Matcher m = SPLIT_FIRST.matcher(r.file().name());
        if (count == 1 || !m.matches() || Integer.parseInt(m.group(2)) != count) {
            return List.of(first);
        }
        List<Path> parts = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            parts.add(first.resolveSibling(String.format(Locale.ROOT, "%s-%05d-of-%05d.gguf", m.group(1), i, count)));
        }
        return parts;
    }

    private static final Pattern SPLIT_ANY = Pattern.compile("(?i)(.+)-\\d{5}-of-\\d{5}\\.gguf");

    /** The name of part {@code n} of {@code count} of a model whose first file is named {@code name}. */
    static String partName(String name, int n, int count) {
        Matcher m = SPLIT_ANY.matcher(name);
        String stem = m.matches() ? m.group(1) : name.replaceFirst("(?i)\\.gguf$", "");
        return String.format(Locale.ROOT, "%s-%05d-of-%05d.gguf", stem, n, count);
    }

    /** Removes the folders of {@code models/} that belong to no downloaded model; other names are left alone. */
    static void removeUnowned(DataDir dataDir, Map<String, ModelRecord> byId) {
        if (!Files.isDirectory(dataDir.models())) {
            return;
        }
        Set<String> owned = byId.values().stream().filter(ModelRecord::downloaded).map(ModelRecord::id)
                .collect(Collectors.toSet());
        try (Stream<Path> dirs = Files.list(dataDir.models())) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (isUuid(name) && !owned.contains(name)) {
                    LOG.info("removing {}: no downloaded model owns it", dir);
                    DataDir.deleteTree(dir);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot tidy {}: {}", dataDir.models(), e.getMessage());
        }
    }

    /**
     * Removes what uploads left in {@code blobs/}: partial uploads ({@code upload-*.part}) a crash cut
     * short, and blobs no create took (a create links a blob into its model and removes it from there), as
     * Ollama prunes unused blobs at start. Other names are left alone.
     */
    static void removeLeftoverUploads(DataDir dataDir) {
        if (!Files.isDirectory(dataDir.blobs())) {
            return;
        }
        try (Stream<Path> files = Files.list(dataDir.blobs())) {
            int removed = 0;
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && (name.matches("upload-.*\\.part") || name.matches("sha256-[0-9a-f]{64}"))) {
                    Files.deleteIfExists(f);
                    removed++;
                }
            }
            if (removed > 0) {
                LOG.info("removed {} unused upload(s) from {}", removed, dataDir.blobs());
            }
        } catch (IOException e) {
            LOG.warn("cannot tidy {}: {}", dataDir.blobs(), e.getMessage());
        }
    }

    private static boolean isUuid(String name) {
        try {
            return UUID.fromString(name).toString().equals(name);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Where a model's files were put in the store, and the file record they make. */
    record Placed(List<Path> targets, ModelRecord.LocalFile file) {
    }

    /**
     * Puts {@code sources} (one file, or the parts of a split model in order) into model {@code id}'s folder:
     * hard links (no second copy on disk), a copy only where the file system cannot link; named and counted as
     * a model of that many parts. Nothing stays behind when it fails.
     */
    static Placed place(DataDir dataDir, String id, List<Path> sources, ModelRecord.LocalFile given) {
        return place(dataDir, id, sources, given, null);
    }

    /** The same with the model's projector ({@code projector}, null for none), placed as {@value #PROJECTOR}. */
    static Placed place(DataDir dataDir, String id, List<Path> sources, ModelRecord.LocalFile given, Path projector) {
        Path dir = dataDir.model(id);
        int parts = sources.size();
        ModelRecord.LocalFile file = new ModelRecord.LocalFile(parts == 1 ? given.name() : partName(given.name(), 1, parts),
                given.size(), given.sha256(), given.origin(), parts);
        List<Path> targets = new java.util.ArrayList<>();
        for (int i = 0; i < parts; i++) {
            targets.add(dir.resolve(parts == 1 ? file.name() : partName(file.name(), i + 1, parts)));
        }
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < parts; i++) {
                linkOrCopy(sources.get(i), targets.get(i));
            }
            if (projector != null) {
                linkOrCopy(projector, dir.resolve(PROJECTOR));
            }
        } catch (IOException e) {
            remove(dataDir, id);
            throw new ModelStore.StoreException("cannot place the model file: " + e.getMessage(), e);
        }
        return new Placed(List.copyOf(targets), file);
    }

    /** A hard link to {@code source} (no space taken, the file stays the user's), or a copy where links cannot be. */
    private static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(source, target);
        }
    }

    /** Removes model {@code id}'s folder; one that cannot go now is logged, and the next start removes it. */
    static void remove(DataDir dataDir, String id) {
        try {
            DataDir.deleteTree(dataDir.model(id));
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(LocalFiles.class).warn("cannot remove the files of model {} ({}); the "
                    + "next start removes them", id, e.getMessage());
        }
    }
}
