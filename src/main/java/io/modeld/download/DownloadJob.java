package io.modeld.download;

import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.Modelfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's download, from probe to the verified file in {@code models/<id>/}: the state machine
 * INITIALIZED → IN-PROGRESS → COMPLETED, FAILED or CANCELED.
 *
 * <p>The job thread probes the source, plans chunks (or resumes the plan saved beside the partial
 * file), then starts the {@link ChunkWorker}s and a {@link PrefixHasher}, and itself watches them:
 * every tick it measures the speed and persists progress. At the end the size and SHA-256 are checked
 * before the file moves into place; nothing unverified is ever marked downloaded.
 *
 * <p>Cancel closes every connection and removes the partial data. Stop (daemon shutdown) closes them
 * too but keeps the partial data and its state, so the next start resumes.
 */
final class DownloadJob implements ChunkWorker.Job {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadJob.class);
    private static final long TICK_MS = 50;
    private static final long PERSIST_EVERY_MS = 250;
    private static final long PERSIST_BYTES_PER_CONNECTION = 2L << 20;
    /**
     * Tries at finding what to fetch (a registry's manifest): a name in a registry that is not there
     * should fail in seconds, as Ollama's pull does, not after the minutes a dropped transfer may retry.
     */
    private static final int RESOLVE_ATTEMPTS = 2;

    /** Where a finished or failed job reports, so that the store records the outcome. */
    interface Outcome {
        /** The files are in place; {@code modelfile} is what came with them from a registry, or null. */
        void completed(String id, ModelRecord.LocalFile file, Modelfile modelfile);

        void failed(String id, String reason);
    }

    private static final class Canceled extends Exception {
        Canceled() {
            super("canceled", null, false, false);
        }
    }

    private final String id;
    private final ModelSpec spec;
    private final Resolver resolver;
    private final Path partialDir;
    private final Path finalDir;
    private final DownloadSettings settings;
    private final Outcome outcome;
    private final Runnable onStatus;
    private final Set<HttpSource.Body> active = ConcurrentHashMap.newKeySet();
    private final AtomicReference<DownloadException> failure = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final SpeedMeter speed = new SpeedMeter();

    private volatile DownloadStatus status = DownloadStatus.INITIALIZED;
    private volatile String error;
    private volatile boolean missing;
    private volatile long total = -1;
    private volatile ChunkPlan plan;
    private volatile long reported;
    private volatile boolean canceled;
    private volatile boolean stopped;
    private volatile long doneBytes;
    private String probedOrigin;
    private HttpSource http;
    private Part part;
    private long partSize;
    private boolean ranges;

    /** Finds what to fetch once the job runs (a registry's manifest is fetched then). */
    interface Resolver {
        Resolution resolve() throws DownloadException;
    }

    DownloadJob(String id, ModelSpec spec, Resolver resolver, Path partialDir, Path finalDir,
                DownloadSettings settings, Outcome outcome, Runnable onStatus) {
        this.id = id;
        this.spec = spec;
        this.resolver = resolver;
        this.partialDir = partialDir;
        this.finalDir = finalDir;
        this.settings = settings;
        this.outcome = outcome;
        this.onStatus = onStatus;
    }

    @Override
    public String id() {
        return id;
    }

    DownloadStatus status() {
        return status;
    }

    /** The frame to show now; bytes never go backwards within the job. */
    synchronized DownloadProgress progress() {
        ChunkPlan p = plan;
        reported = Math.max(reported, doneBytes + (p == null ? 0 : p.downloaded()));
        return DownloadProgress.of(status, reported, total, speed.bytesPerSecond(), error, missing);
    }

    /** Removes the partial data and ends the job CANCELED; returns at once. */
    void cancel() {
        canceled = true;
        closeConnections();
    }

    /** Ends the job for a shutdown, keeping the partial data to resume from. */
    void stop() {
        stopped = true;
        closeConnections();
    }

    boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    @Override
    public boolean abandoned() {
        return canceled || stopped || failure.get() != null;
    }

    @Override
    public void fail(DownloadException e) {
        failure.compareAndSet(null, e);
        closeConnections();
    }

    @Override
    public void track(HttpSource.Body body, boolean open) {
        if (open) {
            active.add(body);
        } else {
            active.remove(body);
        }
    }

    private void setStatus(DownloadStatus s, String reason) {
        status = s;
        error = reason;
        onStatus.run();
    }

    /** Runs the whole download on the calling thread. */
    void run() {
        if (stopped && !canceled) {
            ended.countDown();
            return;
        }
        try {
            if (canceled) {
                throw new Canceled();
            }
            execute();
        } catch (Canceled e) {
            PartialFile.remove(partialDir, LOG);
            setStatus(DownloadStatus.CANCELED, null);
        } catch (DownloadException e) {
            if (stopped && !canceled) {
                LOG.info("download of {} stopped for shutdown; it resumes at the next start", id);
            } else {
                if (e.isFatal()) {
                    PartialFile.remove(partialDir, LOG);
                }
                LOG.warn("download of {} failed: {}", id, e.getMessage());
                missing = e.missing();
                recordFailure(e.getMessage());
                setStatus(DownloadStatus.FAILED, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("bug: download of {} failed", id, e);
            PartialFile.remove(partialDir, LOG);
            String reason = "internal error (" + e.getClass().getSimpleName() + "); it is logged";
            recordFailure(reason);
            setStatus(DownloadStatus.FAILED, reason);
        } finally {
            ended.countDown();
        }
    }

    private void execute() throws DownloadException, Canceled {
        Resolution resolution = withRetries(resolver::resolve, RESOLVE_ATTEMPTS);
        List<Part> parts = resolution.files();
        total = resolution.total();
        boolean several = parts.size() > 1;
        Path doneDir = several ? partialDir.resolve("done") : finalDir;
        String firstSha = null;
        for (int i = 0; i < parts.size(); i++) {
            checkAbandoned();
            Part p = parts.get(i);
            if (several && p.size() >= 0 && sizeIfAny(doneDir.resolve(p.fileName())) == p.size()) {
                doneBytes += p.size();   // verified and kept by an earlier run
                firstSha = i == 0 ? p.sha256() : firstSha;
                continue;
            }
            if (unchanged(p)) {
                LOG.info("download of {}: {} is unchanged at its source; kept", id, p.fileName());
                if (several) {
                    copyInto(finalDir.resolve(p.fileName()), doneDir);
                }
                doneBytes += p.size();
                firstSha = i == 0 ? p.sha256() : firstSha;
                continue;
            }
            String sha = transferPart(p, several ? partialDir.resolve("part-" + i) : partialDir, doneDir,
                    several ? 0 : -1);
            firstSha = i == 0 ? sha : firstSha;
            synchronized (this) {
                doneBytes += partSize;
                plan = null;
            }
        }
        if (resolution.projector() != null) {
            checkPaired(doneDir.resolve(Resolution.PROJECTOR), doneDir.resolve(parts.get(0).fileName()));
        }
        if (several) {
            for (Part p : parts) {
                moveInto(doneDir.resolve(p.fileName()), finalDir);
            }
        }
        if (resolution.projector() == null) {
            dropStaleProjector();
        }
        String origin = resolution.origin() != null ? resolution.origin() : probedOrigin;
        outcome.completed(id, new ModelRecord.LocalFile(parts.get(0).fileName(), total, firstSha, origin,
                resolution.parts().size()), resolution.modelfile());
        PartialFile.remove(partialDir, LOG);
        setStatus(DownloadStatus.COMPLETED, null);
    }

    /** Fails the download when its projector was made for another model (both sizes named): it could never serve it. */
    private static void checkPaired(Path projector, Path model) throws DownloadException {
        String problem = io.modeld.gguf.ProjectorFacts.problem(projector, model);
        if (problem != null) {
            throw DownloadException.fatal(problem);
        }
    }

    /** A projector an earlier version of the model had, which this one has not. */
    private void dropStaleProjector() {
        try {
            Files.deleteIfExists(finalDir.resolve(Resolution.PROJECTOR));
        } catch (java.io.IOException e) {
            LOG.warn("download of {}: cannot remove its earlier projector ({})", id, e.getMessage());
        }
    }

    /**
     * Downloads one part into {@code dir} (resuming what an earlier run left there), verifies it and moves
     * it into {@code doneDir}; returns its SHA-256. {@code onlyPart}: -1 for a one-file download (whose
     * total is the part's size once probed).
     */
    private String transferPart(Part p, Path dir, Path doneDir, int onlyPart) throws DownloadException, Canceled {
        part = p;
        long size;
        String linkedSha = null;
        String validator = null;
        if (p.localFile() != null) {
            checkPinned(p);
            if (!Files.isRegularFile(p.localFile(), LinkOption.NOFOLLOW_LINKS)) {
                throw DownloadException.fatal("no file at " + p.localFile() + " (a link there is not followed)");
            }
            size = sizeOf(p.localFile());
            ranges = true;
        } else {
            http = new HttpSource(p.uri(), p.auth(), settings.stallTimeout());
            HttpSource.Remote remote = withRetries(http::probe);
            size = remote.size() >= 0 ? remote.size() : p.size() >= 0 ? p.size() : spec.bytes() == null ? -1 : spec.bytes();
            if (size < 0) {
                throw DownloadException.fatal("the server does not say how big the file is");
            }
            ranges = remote.ranges();
            linkedSha = remote.linkedSha256();
            validator = remote.validator();
        }
        if (p.size() >= 0 && p.size() != size) {
            throw DownloadException.fatal("the registry's blob " + p.sha256() + " is " + size + " bytes, but its "
                    + "manifest says " + p.size());
        }
        if (onlyPart < 0 && p.size() < 0 && spec.bytes() != null && spec.bytes() != size) {
            throw DownloadException.fatal("the server offers " + size + " bytes but the model's file is "
                    + spec.bytes() + " bytes (bytes.value); check source.url");
        }
        if (onlyPart < 0) {
            total = size;
        }
        partSize = size;
        String expected = p.sha256() != null ? p.sha256() : linkedSha;
        String url = p.resumeKey();
        probedOrigin = linkedSha != null ? linkedSha : validator;
        ChunkPlan resumed = PartialFile.resumable(dir, p.fileName(), url, size, ranges, validator);
        plan = resumed != null ? resumed : ranges ? ChunkPlan.fresh(size, settings.connections()) : ChunkPlan.single(size);
        long needed = total - doneBytes - plan.downloaded();
        long free = usableSpace();
        if (needed > free) {
            throw DownloadException.fatal("not enough disk space: needs " + needed + " bytes more, "
                    + free + " free in " + partialDir);
        }
        if (resumed != null) {
            LOG.info("resuming download of {} ({}) at {} of {} bytes", id, p.fileName(), plan.downloaded(), size);
        }
        ResumeState base = new ResumeState(url, size, ranges, validator, expected, List.of());
        String actual;
        try (PartialFile file = PartialFile.open(dir, p.fileName(), size, resumed == null)) {
            file.persist(base, plan.save());
            setStatus(DownloadStatus.IN_PROGRESS, null);
            actual = transfer(file, base);
            if (expected != null && !expected.equals(actual)) {
                throw DownloadException.fatal("SHA-256 mismatch: expected " + expected + ", got " + actual
                        + "; the downloaded data was removed");
            }
            if (file.size() != size) {
                throw DownloadException.fatal("size mismatch: expected " + size + " bytes, got " + file.size());
            }
            if (p.localFile() != null) {
                checkPinned(p);   // not swapped while it was read
            }
            file.requireGguf(p.fileName());
            file.finish(doneDir, p.fileName());
        }
        return actual;
    }

    /** Refuses a local file that is no longer the one its model was created with (swapped, replaced, edited). */
    private static void checkPinned(Part p) throws DownloadException {
        if (p.identity() != null && !p.identity().unchanged()) {
            throw DownloadException.fatal(p.localFile() + " is not the file this model was created with (it was "
                    + "replaced, edited or made a link since); create the model again to use the file as it is now");
        }
    }

    /** Whether the model already has this part, verified (an update that changed other files only). */
    private boolean unchanged(Part p) throws DownloadException {
        Path current = finalDir.resolve(p.fileName());
        if (p.sha256() == null || p.size() < 0 || sizeIfAny(current) != p.size()) {
            return false;
        }
        try {
            return p.sha256().equals(Digests.sha256Hex(current));
        } catch (IOException e) {
            return false;
        }
    }

    /** Puts a hard link (or a copy) of a kept file beside the parts being fetched. */
    private static void copyInto(Path file, Path dir) throws DownloadException {
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve(file.getFileName());
            Files.deleteIfExists(target);
            try {
                Files.createLink(target, file);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(file, target);
            }
        } catch (IOException e) {
            throw PartialFile.diskError(e);
        }
    }

    private static long sizeIfAny(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Moves a verified part into the model's folder, durably. */
    private static void moveInto(Path file, Path dir) throws DownloadException {
        try {
            Files.createDirectories(dir);
            Files.move(file, dir.resolve(file.getFileName()), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (java.nio.channels.FileChannel folder = java.nio.channels.FileChannel.open(dir, StandardOpenOption.READ)) {
                folder.force(true);
            }
        } catch (IOException e) {
            throw PartialFile.diskError(e);
        }
    }

    /** Fetches every chunk and returns the file's SHA-256. */
    private String transfer(PartialFile file, ResumeState base) throws DownloadException, Canceled {
        PrefixHasher hasher = new PrefixHasher(file.channel(), plan, this::abandoned);
        settings.workers().execute(hasher);
        long firstRequestAt = System.nanoTime();
        long resumedAt = plan.downloaded();
        int connections = ranges ? settings.connections() : 1;
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            workers.add(CompletableFuture.runAsync(new ChunkWorker(this, plan, file, settings, ranges), settings.workers()));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new));
        long lastPersistAt = System.currentTimeMillis();
        long persistedBytes = plan.downloaded();
        boolean interrupted = false;
        while (!all.isDone()) {
            try {
                all.get(TICK_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // Still running, or a worker ended badly: the checks below decide.
            } catch (InterruptedException e) {
                // Stop the workers, then keep waiting for them without the interrupt (which would make
                // every get() return at once); it is restored below.
                interrupted = true;
                stop();
                all.handle((v, t) -> null).join();
            }
            long now = System.currentTimeMillis();
            long downloaded = plan.downloaded();
            speed.sample(now, downloaded);
            if (!abandoned() && (now - lastPersistAt >= PERSIST_EVERY_MS
                    || downloaded - persistedBytes >= PERSIST_BYTES_PER_CONNECTION * connections)) {
                file.persist(base, plan.save());
                lastPersistAt = now;
                persistedBytes = downloaded;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        long lastByteAt = System.nanoTime();
        if (stopped && !canceled && failure.get() == null) {
            file.persist(base, plan.save()); // a shutdown keeps every byte written so far for the next start
        }
        checkAbandoned();
        file.persist(base, plan.save());
        String digest;
        try {
            digest = hasher.digest().get();
        } catch (ExecutionException e) {
            throw DownloadException.fatal("cannot read back the partial file: " + e.getCause().getMessage());
        } catch (InterruptedException | java.util.concurrent.CancellationException e) {
            checkAbandoned();
            throw DownloadException.retryable("hashing was interrupted");
        }
        LOG.info("download of {}: all {} bytes received, {} fetched in {} ms; SHA-256 done {} ms after the last byte",
                id, total, total - resumedAt, (lastByteAt - firstRequestAt) / 1_000_000,
                (System.nanoTime() - lastByteAt) / 1_000_000);
        return digest;
    }

    @Override
    public ChunkWorker.Opened open(long from, long end) throws DownloadException {
        if (part.localFile() != null) {
            return new ChunkWorker.Opened(openLocal(from), from);
        }
        if (ranges) {
            return new ChunkWorker.Opened(http.range(from, end - 1, partSize), from);
        }
        return new ChunkWorker.Opened(http.whole(), 0);
    }

    /** Stores the reason; a store that cannot be written (a full disk) must not stop the FAILED frame. */
    private void recordFailure(String reason) {
        try {
            outcome.failed(id, reason);
        } catch (RuntimeException e) {
            LOG.warn("cannot record the failure of {}: {}", id, e.getMessage());
        }
    }

    private void checkAbandoned() throws DownloadException, Canceled {
        if (canceled) {
            throw new Canceled();
        }
        DownloadException f = failure.get();
        if (f != null) {
            throw f;
        }
        if (stopped) {
            throw DownloadException.retryable("stopped");
        }
    }

    private HttpSource.Body openLocal(long from) throws DownloadException {
        SeekableByteChannel ch = null;
        try {
            ch = Files.newByteChannel(part.localFile(), java.util.Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
            ch.position(from);
            InputStream in = Channels.newInputStream(ch);
            return new HttpSource.Body(in, () -> closeQuietly(in));
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // Already failing; the first error is the one to report.
                }
            }
            throw DownloadException.fatal("cannot read " + part.localFile() + ": " + e.getMessage());
        }
    }

    private void closeConnections() {
        for (HttpSource.Body b : active) {
            b.abort().run();
        }
    }

    private <T> T withRetries(Attempt<T> attempt) throws DownloadException, Canceled {
        return withRetries(attempt, ChunkWorker.MAX_ATTEMPTS_WITHOUT_PROGRESS);
    }

    /** Tries at a source that never answered since the job began, before the job gives up on it. */
    private static final int UNREACHABLE_TRIES = 2;

    private <T> T withRetries(Attempt<T> attempt, int maxAttempts) throws DownloadException, Canceled {
        for (int tries = 1; ; tries++) {
            if (canceled) {
                throw new Canceled();
            }
            try {
                return attempt.run();
            } catch (DownloadException e) {
                if (e.isFatal() || tries > maxAttempts || stopped) {
                    throw e;
                }
                if (e.unreachable() && tries >= UNREACHABLE_TRIES && (http == null || !http.reached())) {
                    // a source never reached once is no dropped connection: it held a worker for 82 s
                    throw e;
                }
                settings.sleeper().sleep(Backoff.delay(tries, e.retryAfter(), settings.random()), this::abandoned);
            }
        }
    }

    private interface Attempt<T> {
        T run() throws DownloadException;
    }

    private long usableSpace() throws DownloadException {
        try {
            Files.createDirectories(partialDir);
            return Files.getFileStore(partialDir).getUsableSpace();
        } catch (IOException e) {
            throw PartialFile.diskError(e);
        }
    }

    private static long sizeOf(Path p) throws DownloadException {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw DownloadException.fatal("cannot read " + p + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Closing is how we abort a connection; an error doing so changes nothing.
        }
    }
}
