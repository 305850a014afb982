package io.modeld.library;

import io.modeld.catalog.GgufFacts;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSpec;
import io.modeld.gguf.GgufFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The models in the library roots, kept in {@link ModelService} (not in the store: they are found again
 * at each start). A scan walks every root, reads the header of each model it has not seen in this
 * state (size and time of each file), and hands the whole set over; the service tells its listeners
 * what was added, changed or removed. The folders scanned are watched (inotify on Linux) and a change
 * causes a scan once they have been quiet for {@link #QUIET}; a scan every {@code rescanEvery} catches
 * what the watcher cannot see (a root that did not exist yet, more folders than it may watch).
 *
 * <p>A model reached twice (a link, a hard link, the same blob found by two roots) is listed once; only
 * Ollama's tags, which are names Ollama itself lists separately, may share a file. Ids are derived from
 * the root and the model's name there, so they survive restarts and rescans.
 */
public final class Library implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Library.class);
    /** How long the watched folders must be quiet before a scan: a copy in progress changes a file often. */
    static final Duration QUIET = Duration.ofMillis(300);
    /** A file changed more recently than this may still be being written; it is read once it settles. */
    static final Duration SETTLE = Duration.ofSeconds(1);
    /** inotify watches are a shared, limited resource (8192 per user on many systems). */
    private static final int MAX_WATCHED = 4096;

    private final List<LibraryRoot> roots;
    private final ModelService models;
    private final Duration rescanEvery;
    private final HeaderCache headers;
    private final Set<String> reported = new HashSet<>();
    private final Map<Path, WatchKey> watched = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "modeld-library");
        t.setDaemon(true);
        return t;
    });
    private WatchService watcher;
    private volatile long changedAt = Long.MIN_VALUE;
    private volatile boolean dirty;
    private long lastScan;
    private List<Path> lastDirs = List.of();
    /** The first scan lists what is there; later ones wait for new files to settle. */
    private boolean started;

    /** A model found by a root's layout, waiting for its header. */
    private record Pending(LibraryRoot root, Found found) {
    }

    /**
     * @param headerCache where what the headers held is kept between runs (in the data dir), or null
     */
    public Library(List<LibraryRoot> roots, ModelService models, Duration rescanEvery, Path headerCache) {
        this.roots = List.copyOf(roots);
        this.models = models;
        this.rescanEvery = rescanEvery;
        this.headers = HeaderCache.load(roots.isEmpty() ? null : headerCache);
    }

    /** Scans once (the models are listed when this returns), then watches the roots. */
    public void start() {
        if (roots.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        Scan first = scan();
        LOG.info("library: {} models in {} ({} headers read, {} ms)", first.models(), roots, first.headersRead(),
                (System.nanoTime() - t0) / 1_000_000);
        try {
            watcher = FileSystems.getDefault().newWatchService();
            register();
            Thread t = new Thread(this::watch, "modeld-library-watch");
            t.setDaemon(true);
            t.start();
        } catch (IOException e) {
            LOG.warn("library: cannot watch the folders ({}); rescanning every {} s instead", e.getMessage(),
                    rescanEvery.toSeconds());
        }
        timer.scheduleWithFixedDelay(this::tick, 100, 100, TimeUnit.MILLISECONDS);
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                key.pollEvents();
                key.reset();
                changedAt = System.nanoTime();
                dirty = true;
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed with the daemon
        }
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            boolean quiet = now - changedAt >= QUIET.toNanos();
            if ((dirty && quiet) || now - lastScan >= rescanEvery.toNanos()) {
                dirty = false;
                scan();
            }
        } catch (RuntimeException e) {
            LOG.warn("library: a scan failed", e);
        }
    }

    /**
     * Scans every root and hands what it found to the models. Headers are read on every core: with a cold
     * cache they are most of a scan's time.
     */
    synchronized Scan scan() {
        Scan scan = new Scan(reported, ConcurrentHashMap.newKeySet());
        List<Pending> pending = new ArrayList<>();
        for (LibraryRoot root : roots) {
            if (Files.isDirectory(root.dir())) {
                root.kind().scan(root.dir(), scan).forEach(f -> pending.add(new Pending(root, f)));
            }
        }
        List<ModelRecord> records = pending.parallelStream().map(p -> record(p.root(), p.found(), scan)).toList();
        Map<Object, List<ModelRecord>> byFile = new LinkedHashMap<>();
        for (int i = 0; i < pending.size(); i++) {
            ModelRecord r = records.get(i);
            if (r != null) {
                byFile.computeIfAbsent(fileKey(r.inPlace().files().get(0)), k -> new ArrayList<>()).add(r);
            }
        }
        List<ModelRecord> all = new ArrayList<>();
        for (List<ModelRecord> same : byFile.values()) {
            List<ModelRecord> tags = same.stream()
                    .filter(r -> r.inPlace().root() == ModelRecord.InPlace.Root.OLLAMA).toList();
            all.addAll(tags.isEmpty() ? same.subList(0, 1) : tags);
        }
        headers.retain(pending.stream().map(p -> p.found().files()).collect(Collectors.toSet()));
        headers.save();
        scan.end();
        models.setLibrary(all);
        lastScan = System.nanoTime();
        if (scan.isUnsettled()) {
            changedAt = System.nanoTime();
            dirty = true;
        }
        lastDirs = scan.dirs();
        if (watcher != null) {
            register(lastDirs);
        }
        started = true;
        scan.found(all.size());
        return scan;
    }

    /** The model for what a root found, or null when it cannot be used (yet). Called on several threads. */
    private ModelRecord record(LibraryRoot root, Found f, Scan scan) {
        List<String> stamps = new ArrayList<>();
        long total = 0;
        long newest = 0;
        long created = Long.MAX_VALUE;
        for (Path p : f.files()) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                stamps.add(a.size() + "@" + a.lastModifiedTime().toMillis());
                total += a.size();
                newest = Math.max(newest, a.lastModifiedTime().toMillis());
                created = Math.min(created, a.lastModifiedTime().toMillis());
            } catch (IOException e) {
                scan.skip(p, "", "cannot read it: " + e.getMessage());
                return null;
            }
        }
        HeaderCache.Header h = headers.get(f.files());
        if (h == null || !h.stamps().equals(stamps)) {
            if (started && System.currentTimeMillis() - newest < SETTLE.toMillis()) {
                scan.unsettled();   // still being written, perhaps: read it once it settles
                return null;
            }
            h = read(f.files(), stamps);
            scan.headerRead();
            headers.put(f.files(), h);
        }
        if (h.facts() == null) {
            scan.skip(f.files().get(0), stamps.toString(), h.problem());
            return null;
        }
        LibraryKind kind = root.kind();
        ModelSpec spec = h.facts().withName(f.name()).withOllama(f.ollama(), f.modelfile());
        String id = UUID.nameUUIDFromBytes(("modeld-library:" + root + ":" + f.name())
                .getBytes(StandardCharsets.UTF_8)).toString();
        ModelRecord.LocalFile file = new ModelRecord.LocalFile(f.files().get(0).getFileName().toString(), total,
                f.digest(), null, f.files().size());
        ModelRecord.InPlace inPlace = new ModelRecord.InPlace(kind.root(), kind.owner(), root.dir(), f.files(),
                f.projector(), kind.removal(f));
        return new ModelRecord(id, Instant.ofEpochMilli(created), true, spec, file, null, inPlace);
    }

    private static HeaderCache.Header read(List<Path> files, List<String> stamps) {
        try {
            return new HeaderCache.Header(stamps, GgufFacts.fill(ModelSpec.defaults(), files), null);
        } catch (GgufFormatException | IOException e) {
            return new HeaderCache.Header(stamps, null, "not a usable GGUF model (" + e.getMessage() + ")");
        }
    }

    /** What identifies a file whatever path reaches it (device and inode here), else its real path. */
    private static Object fileKey(Path file) {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return key != null ? key : file.toRealPath();
        } catch (IOException e) {
            return file;
        }
    }

    private synchronized void register() {
        register(lastDirs);
    }

    private void register(List<Path> dirs) {
        watched.values().removeIf(k -> !k.isValid());
        for (Path dir : dirs) {
            if (watched.size() >= MAX_WATCHED) {
                return;
            }
            if (!watched.containsKey(dir)) {
                try {
                    watched.put(dir, dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY));
                } catch (IOException | ClosedWatchServiceException e) {
                    LOG.debug("library: cannot watch {}: {}", dir, e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.debug("library: closing the watcher: {}", e.getMessage());
            }
        }
    }
}
