package io.modeld.library;

import com.fasterxml.jackson.core.type.TypeReference;
import io.modeld.Json;
import io.modeld.catalog.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each library model's header held, by its files, with the size and time of each file when it was
 * read: a header is read again only when one of them changes. Kept in the data dir (written whole to a
 * temporary file, then renamed) so a restart with a library of 1,000 models reads no header at all;
 * reading one takes 2.5 ms for a 150,000-token vocabulary (docs/BENCHMARKS.md). A missing or unreadable
 * cache only means reading every header again.
 */
final class HeaderCache {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HeaderCache.class);

    /** The stamps ({@code size@millis}) of the files, and the facts read (or why there are none). */
    record Header(List<String> stamps, ModelSpec facts, String problem) {
    }

    private record Entry(List<String> files, Header header) {
    }

    private final Path file;
    private final Map<List<Path>, Header> headers = new ConcurrentHashMap<>();
    private volatile boolean changed;

    private HeaderCache(Path file) {
        this.file = file;
    }

    /** The cache kept in {@code file}, or an empty one when there is none or it cannot be read. */
    static HeaderCache load(Path file) {
        HeaderCache cache = new HeaderCache(file);
        if (file == null || !Files.isRegularFile(file)) {
            return cache;
        }
        try {
            List<Entry> entries = Json.MAPPER.readValue(file.toFile(), new TypeReference<List<Entry>>() { });
            for (Entry e : entries) {
                cache.headers.put(e.files().stream().map(Path::of).toList(), e.header());
            }
        } catch (IOException | RuntimeException e) {
            LOG.info("library: the header cache {} is unreadable ({}); reading every header again", file, e.getMessage());
        }
        return cache;
    }

    Header get(List<Path> files) {
        return headers.get(files);
    }

    void put(List<Path> files, Header header) {
        headers.put(files, header);
        changed = true;
    }

    /** Forgets the models no longer found. */
    void retain(Set<List<Path>> used) {
        changed |= headers.keySet().retainAll(used);
    }

    /** Writes the cache when something changed since it was last written. */
    void save() {
        if (!changed || file == null) {
            return;
        }
        changed = false;
        List<Entry> entries = headers.entrySet().stream()
                .map(e -> new Entry(e.getKey().stream().map(Path::toString).toList(), e.getValue())).toList();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            io.modeld.config.PrivateFiles.file(tmp);
            Json.MAPPER.writeValue(tmp.toFile(), entries);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("library: cannot write the header cache {}: {}", file, e.getMessage());
        }
    }
}
