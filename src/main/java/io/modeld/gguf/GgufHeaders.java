package io.modeld.gguf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one way every part of the daemon reads a model file's header (the catalog's facts, a load's memory
 * estimate, the template's check, Ollama's {@code show}, the dashboard's details): each version of a file
 * (its real path, identity, size and modification time) is read once and kept in one LRU, bounded by count
 * ({@value #MAX_FILES}) and by what the headers keep ({@value #MAX_BYTES} bytes, by {@link GgufFile#keptBytes});
 * a file that changed is read again. Readers that must see the bytes themselves (a download checking what it
 * keeps, a push) read the file through {@link GgufReader}. Before, seven readers read and cached headers
 * three ways.
 */
public final class GgufHeaders {

    static final int MAX_FILES = 64;
    static final long MAX_BYTES = 64L << 20;
    private static final GgufHeaders SHARED = new GgufHeaders();

    private record Version(Path path, Object key, long size, long modified) {
    }

    private final Map<Path, Map.Entry<Version, GgufFile>> byPath = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    /** The process's headers: one daemon, one cache. */
    public static GgufHeaders shared() {
        return SHARED;
    }

    /** The header of {@code file} as it is now (read once per version). */
    public GgufFile read(Path file) throws IOException, GgufFormatException {
        Path real = file.toRealPath();
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Version v = new Version(real, a.fileKey(), a.size(), a.lastModifiedTime().toMillis());
        synchronized (this) {
            Map.Entry<Version, GgufFile> known = byPath.get(real);
            if (known != null && known.getKey().equals(v)) {
                return known.getValue();
            }
        }
        GgufFile read = GgufReader.read(real);
        synchronized (this) {
            Map.Entry<Version, GgufFile> old = byPath.put(real, Map.entry(v, read));
            if (old != null) {
                bytes -= old.getValue().keptBytes();
            }
            bytes += read.keptBytes();
            for (Iterator<Map.Entry<Path, Map.Entry<Version, GgufFile>>> it = byPath.entrySet().iterator();
                 it.hasNext() && (byPath.size() > MAX_FILES || bytes > MAX_BYTES); ) {
                Map.Entry<Path, Map.Entry<Version, GgufFile>> eldest = it.next();
                if (eldest.getKey().equals(real)) {
                    continue;
                }
                bytes -= eldest.getValue().getValue().keptBytes();
                it.remove();
            }
        }
        return read;
    }

    /** How many headers are kept now, and their bytes. */
    synchronized long[] kept() {
        return new long[] {byPath.size(), bytes};
    }
}
