package io.modeld.download;

import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelSpec;
import io.modeld.config.DataDir;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's download, from probe to the verified file in {@code models/<id>/}.
 *
 * <p>The job thread probes the source, plans chunks (or resumes the plan saved beside the partial
 * file), then starts the connection workers and a {@link PrefixHasher}, and itself watches them: every
 * tick it measures the speed and persists progress after forcing the data to disk. A connection silent
 * for the stall timeout fails its read and is reopened. Workers write with positional writes into one preallocated file. Transient failures
 * are retried per chunk with backoff; a permanent one stops every worker. At the end the size and
 * SHA-256 are checked before an atomic rename; nothing unverified is ever marked downloaded.
 *
 * <p>Cancel closes every connection and removes the partial data. Stop (daemon shutdown) closes them
 * too but keeps the partial data and its state, so the next start resumes.
 */
final class DownloadJob {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadJob.class);
    private static final int BUFFER = 256 << 10;
    private static final long TICK_MS = 50;
    private static final long PERSIST_EVERY_MS = 250;
    private static final long PERSIST_BYTES_PER_CONNECTION = 2L << 20;
    private static final int MAX_ATTEMPTS_WITHOUT_PROGRESS = 8;

    /** The Pieces ModelDownloadProgress statuses a job goes through. */
    enum Status {
        INITIALIZED("INITIALIZED"), IN_PROGRESS("IN-PROGRESS"), COMPLETED("COMPLETED"), FAILED("FAILED"),
        CANCELED("CANCELED");

        final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        boolean terminal() {
            return this == COMPLETED || this == FAILED || this == CANCELED;
        }
    }

    /** What a progress frame shows. Bytes and percentage never go backwards within one job. */
    record Progress(Status status, long downloaded, long total, long bytesPerSecond, String error) {

        double percentage() {
            if (status == Status.COMPLETED) {
                return 100;
            }
            return total > 0 ? Math.floor(downloaded * 10000.0 / total) / 100 : 0;
        }
    }

    /** Where a finished or failed job reports, so that the store records the outcome. */
    interface Outcome {
        void completed(String id, ModelRecord.LocalFile file);

        void failed(String id, String reason);
    }

    private static final class Canceled extends Exception {
        Canceled() {
            super("canceled", null, false, false);
        }
    }


    private final String id;
    private final ModelSpec spec;
    private final ResolvedSource source;
    private final Path partialDir;
    private final Path finalDir;
    private final DownloadSettings settings;
    private final Outcome outcome;
    private final Runnable onStatus;
    private final Set<HttpSource.Body> active = ConcurrentHashMap.newKeySet();
    private final AtomicReference<DownloadException> failure = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    private volatile Status status = Status.INITIALIZED;
    private volatile String error;
    private volatile long total = -1;
    private volatile ChunkPlan plan;
    private volatile long reported;
    private volatile long bytesPerSecond;
    private volatile boolean canceled;
    private volatile boolean stopped;
    private HttpSource http;
    private boolean ranges;

    DownloadJob(String id, ModelSpec spec, ResolvedSource source, Path partialDir, Path finalDir,
                DownloadSettings settings, Outcome outcome, Runnable onStatus) {
        this.id = id;
        this.spec = spec;
        this.source = source;
        this.partialDir = partialDir;
        this.finalDir = finalDir;
        this.settings = settings;
        this.outcome = outcome;
        this.onStatus = onStatus;
    }

    String id() {
        return id;
    }

    Status status() {
        return status;
    }

    synchronized Progress progress() {
        ChunkPlan p = plan;
        long now = p == null ? 0 : p.downloaded();
        reported = Math.max(reported, now);
        return new Progress(status, reported, total, bytesPerSecond, error);
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

    private boolean abandoned() {
        return canceled || stopped || failure.get() != null;
    }

    private void setStatus(Status s, String reason) {
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
            removePartial();
            setStatus(Status.CANCELED, null);
        } catch (DownloadException e) {
            if (stopped && !canceled) {
                LOG.info("download of {} stopped for shutdown; it resumes at the next start", id);
            } else {
                if (e.permanent()) {
                    removePartial();
                }
                LOG.warn("download of {} failed: {}", id, e.getMessage());
                recordFailure(e.getMessage());
                setStatus(Status.FAILED, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("bug: download of {} failed", id, e);
            removePartial();
            String reason = "internal error (" + e.getClass().getSimpleName() + "); it is logged";
            recordFailure(reason);
            setStatus(Status.FAILED, reason);
        } finally {
            ended.countDown();
        }
    }

    private void execute() throws DownloadException, Canceled {
        mkdirs(partialDir);
        long size;
        String linkedSha = null;
        String validator = null;
        if (source.localFile() != null) {
            if (!Files.isRegularFile(source.localFile())) {
                throw new DownloadException("no file at " + source.localFile(), true);
            }
            size = sizeOf(source.localFile());
            ranges = true;
        } else {
            http = new HttpSource(source.uri(), settings.authorization().apply(source.uri()), settings.stallTimeout());
            HttpSource.Remote remote = withRetries(http::probe);
            size = remote.size() >= 0 ? remote.size() : spec.bytes() == null ? -1 : spec.bytes();
            if (size < 0) {
                throw new DownloadException("the server does not say how big the file is", true);
            }
            ranges = remote.ranges();
            linkedSha = remote.linkedSha256();
            validator = remote.validator();
        }
        if (spec.bytes() != null && spec.bytes() != size) {
            throw new DownloadException("the server offers " + size + " bytes but the model's file is "
                    + spec.bytes() + " bytes (bytes.value); check source.url", true);
        }
        total = size;
        String expected = spec.source().sha256() != null ? spec.source().sha256() : linkedSha;
        Path part = partialDir.resolve(source.fileName() + ".part");
        ChunkPlan resumed = resume(size, validator, part);
        plan = resumed != null ? resumed : ranges ? ChunkPlan.fresh(size, settings.connections()) : ChunkPlan.single(size);
        long needed = size - plan.downloaded();
        long free = usableSpace(partialDir);
        if (needed > free) {
            throw new DownloadException("not enough disk space: needs " + needed + " bytes more, "
                    + free + " free in " + partialDir, true);
        }
        if (resumed != null) {
            LOG.info("resuming download of {} at {} of {} bytes", id, plan.downloaded(), size);
        }
        reported = plan.downloaded();
        ResumeState base = new ResumeState(spec.source().url(), size, ranges, validator, expected, List.of());
        try (FileChannel file = openPartial(part, resumed == null, size)) {
            persist(file, base);
            setStatus(Status.IN_PROGRESS, null);
            String actual = transfer(file, base);
            if (expected != null && !expected.equals(actual)) {
                throw new DownloadException("SHA-256 mismatch: expected " + expected + ", got " + actual
                        + "; the downloaded data was removed", true);
            }
            if (sizeOf(file) != size) {
                throw new DownloadException("size mismatch: expected " + size + " bytes, got " + sizeOf(file), true);
            }
            force(file);
            finish(part, new ModelRecord.LocalFile(source.fileName(), size, actual));
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    /** Fetches every chunk and returns the file's SHA-256. */
    private String transfer(FileChannel file, ResumeState base) throws DownloadException, Canceled {
        PrefixHasher hasher = new PrefixHasher(file, plan, this::abandoned);
        settings.workers().execute(hasher);
        long firstRequestAt = System.nanoTime();
        long resumedAt = plan.downloaded();
        int connections = ranges ? settings.connections() : 1;
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            workers.add(CompletableFuture.runAsync(() -> work(file), settings.workers()));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new));
        long lastPersistAt = settings.clock().millis();
        long persistedBytes = plan.downloaded();
        while (!all.isDone()) {
            try {
                all.get(TICK_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | ExecutionException e) {
                // Still running, or a worker ended badly: the checks below decide.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
            }
            long now = settings.clock().millis();
            sample(now);
            long downloaded = plan.downloaded();
            if (!abandoned() && (now - lastPersistAt >= PERSIST_EVERY_MS
                    || downloaded - persistedBytes >= PERSIST_BYTES_PER_CONNECTION * connections)) {
                persist(file, base);
                lastPersistAt = now;
                persistedBytes = downloaded;
            }
        }
        long lastByteAt = System.nanoTime();
        if (stopped && !canceled && failure.get() == null) {
            persist(file, base); // a shutdown keeps every byte written so far for the next start
        }
        checkAbandoned();
        persist(file, base);
        String digest;
        try {
            digest = hasher.digest().get();
        } catch (ExecutionException e) {
            throw new DownloadException("cannot read back the partial file: " + e.getCause().getMessage(), true);
        } catch (InterruptedException | java.util.concurrent.CancellationException e) {
            checkAbandoned();
            throw new DownloadException("hashing was interrupted", false);
        }
        LOG.info("download of {}: all {} bytes received, {} fetched in {} ms; SHA-256 done {} ms after the last byte",
                id, total, total - resumedAt, (lastByteAt - firstRequestAt) / 1_000_000,
                (System.nanoTime() - lastByteAt) / 1_000_000);
        return digest;
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
            throw new DownloadException("stopped", false);
        }
    }

    /** A connection worker: takes chunks until none is left, retrying each on transient errors. */
    private void work(FileChannel file) {
        ChunkPlan.Chunk chunk;
        while (!abandoned() && (chunk = plan.next()) != null) {
            int attempts = 0;
            while (!chunk.done() && !abandoned()) {
                long before = plan.downloaded();
                try {
                    fetch(chunk, file);
                } catch (DownloadException e) {
                    if (abandoned()) {
                        break;
                    }
                    if (e.permanent()) {
                        failure.compareAndSet(null, e);
                        closeConnections();
                        break;
                    }
                    // Progress earns fresh attempts only where it is kept: without ranges every retry
                    // starts over from byte 0, so those attempts are never reset.
                    attempts = ranges && plan.downloaded() > before ? 1 : attempts + 1;
                    if (attempts > MAX_ATTEMPTS_WITHOUT_PROGRESS) {
                        failure.compareAndSet(null, new DownloadException(e.getMessage() + " (gave up after "
                                + MAX_ATTEMPTS_WITHOUT_PROGRESS + " attempts without progress)", false));
                        closeConnections();
                        break;
                    }
                    LOG.info("download of {}: retry {} of the chunk at byte {}: {}", id, attempts, chunk.position(),
                            e.getMessage());
                    settings.sleeper().sleep(Backoff.delay(attempts, e.retryAfter(), settings.random()),
                            this::abandoned);
                }
            }
            plan.release(chunk);
        }
    }

    /** One attempt at the rest of a chunk. */
    private void fetch(ChunkPlan.Chunk chunk, FileChannel file) throws DownloadException {
        long from = chunk.position();
        long end = from + plan.remaining(chunk);
        HttpSource.Body body;
        if (source.localFile() != null) {
            body = openLocal(from);
        } else if (ranges) {
            body = http.range(from, end - 1, total);
        } else {
            end = total;
            if (from > 0) {
                plan.written(chunk, -from);
                from = 0;
            }
            body = http.whole();
        }
        active.add(body);
        if (abandoned()) {
            body.abort().run();
        }
        byte[] buf = new byte[BUFFER];
        boolean complete = false;
        try (InputStream in = body.in()) {
            long pos = from;
            while (true) {
                long room = plan.remaining(chunk);
                if (room == 0) {
                    // The whole response was read (not cut short by a split): the connection can be reused.
                    complete = pos == end;
                    return;
                }
                int n = in.read(buf, 0, (int) Math.min(buf.length, room));
                if (n < 0) {
                    throw new DownloadException("the connection closed " + room + " bytes early", false);
                }
                writeFully(file, buf, n, pos);
                plan.written(chunk, n);
                pos += n;
            }
        } catch (SocketTimeoutException e) {
            throw new DownloadException("no data for " + settings.stallTimeout().toSeconds() + " s; reconnecting",
                    false);
        } catch (IOException e) {
            throw new DownloadException("connection lost: " + HttpSource.describe(e), false);
        } finally {
            active.remove(body);
            if (!complete) {
                body.abort().run();
            }
        }
    }

    private void writeFully(FileChannel file, byte[] buf, int n, long pos) throws DownloadException {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        try {
            long at = pos;
            while (bb.hasRemaining()) {
                at += file.write(bb, at);
            }
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    private HttpSource.Body openLocal(long from) throws DownloadException {
        try {
            SeekableByteChannel ch = Files.newByteChannel(source.localFile(), StandardOpenOption.READ);
            ch.position(from);
            InputStream in = Channels.newInputStream(ch);
            return new HttpSource.Body(in, () -> closeQuietly(in));
        } catch (IOException e) {
            throw new DownloadException("cannot read " + source.localFile() + ": " + e.getMessage(), true);
        }
    }

    private ChunkPlan resume(long size, String validator, Path part) throws DownloadException {
        ResumeState saved = ResumeState.read(partialDir);
        if (saved == null || !Files.exists(part)) {
            return null;
        }
        if (!saved.url().equals(spec.source().url()) || !saved.ranges() || !ranges) {
            return null;
        }
        if (saved.size() != size) {
            throw new DownloadException("the file on the server changed size since the download began (was "
                    + saved.size() + " bytes, now " + size + "); its partial data was removed", true);
        }
        if (saved.validator() != null && validator != null && !saved.validator().equals(validator)) {
            LOG.info("download of {}: the file changed on the server (ETag), starting over", id);
            return null;
        }
        return ChunkPlan.resumed(size, saved.chunks());
    }

    private void persist(FileChannel file, ResumeState base) throws DownloadException {
        List<ChunkPlan.Saved> chunks = plan.save();
        try {
            force(file);
            new ResumeState(base.url(), base.size(), base.ranges(), base.validator(), base.expectedSha256(), chunks)
                    .write(partialDir);
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    private void sample(long now) {
        long downloaded = plan.downloaded();
        samples.addLast(new long[] {now, downloaded});
        while (samples.size() > 1 && now - samples.peekFirst()[0] > 2000) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        long dt = now - first[0];
        bytesPerSecond = dt <= 0 ? 0 : Math.max(0, (downloaded - first[1]) * 1000 / dt);
    }

    private void closeConnections() {
        for (HttpSource.Body b : active) {
            b.abort().run();
        }
    }

    private FileChannel openPartial(Path part, boolean fresh, long size) throws DownloadException {
        try {
            if (fresh) {
                try (RandomAccessFile raf = new RandomAccessFile(part.toFile(), "rw")) {
                    raf.setLength(0);
                    raf.setLength(size);
                }
            }
            return FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    private void finish(Path part, ModelRecord.LocalFile file) throws IOException {
        Files.createDirectories(finalDir);
        Path target = finalDir.resolve(file.name());
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(finalDir, StandardOpenOption.READ)) {
            dir.force(true);
        }
        outcome.completed(id, file);
        removePartial();
        setStatus(Status.COMPLETED, null);
    }

    private <T> T withRetries(Attempt<T> attempt) throws DownloadException, Canceled {
        for (int tries = 1; ; tries++) {
            if (canceled) {
                throw new Canceled();
            }
            try {
                return attempt.run();
            } catch (DownloadException e) {
                if (e.permanent() || tries > MAX_ATTEMPTS_WITHOUT_PROGRESS || stopped) {
                    throw e;
                }
                settings.sleeper().sleep(Backoff.delay(tries, e.retryAfter(), settings.random()), this::abandoned);
            }
        }
    }

    private interface Attempt<T> {
        T run() throws DownloadException;
    }

    private void removePartial() {
        try {
            DataDir.deleteTree(partialDir);
        } catch (IOException e) {
            LOG.warn("cannot remove the partial data of {}: {}", id, e.getMessage());
        }
    }

    private static DownloadException diskError(IOException e) {
        String m = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (m != null && m.contains("No space left")) {
            return new DownloadException("the disk is full (No space left on device); the partial data was "
                    + "removed; free some space and download again", true);
        }
        return new DownloadException("cannot write the model file: " + m, true);
    }

    private static void mkdirs(Path dir) throws DownloadException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    private static long sizeOf(Path p) throws DownloadException {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new DownloadException("cannot read " + p + ": " + e.getMessage(), true);
        }
    }

    private static long sizeOf(FileChannel ch) throws IOException {
        return ch.size();
    }

    private static void force(FileChannel ch) throws IOException {
        ch.force(false);
    }

    private static long usableSpace(Path dir) throws DownloadException {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw diskError(e);
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
