package io.modeld.download;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a download: takes chunks from the plan until none is left and writes each into the
 * partial file. A retryable failure retries the rest of the chunk after a backoff; progress made by any
 * connection earns fresh attempts, so a long download over a flaky link keeps going while a dead server
 * fails after {@value #MAX_ATTEMPTS_WITHOUT_PROGRESS} attempts. A fatal failure stops every connection.
 */
final class ChunkWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkWorker.class);
    static final int MAX_ATTEMPTS_WITHOUT_PROGRESS = 8;
    private static final int BUFFER = 256 << 10;

    /** What a worker needs from its job. */
    interface Job {
        String id();

        /** Whether the job was canceled, stopped or failed: the worker ends. */
        boolean abandoned();

        /** Records the first fatal failure and aborts every connection. */
        void fail(DownloadException e);

        /** Opens the bytes from {@code from} up to {@code end} (exclusive); may start earlier, see {@link Opened}. */
        Opened open(long from, long end) throws DownloadException;

        /** Tracks an open body, so that a cancel can abort it from another thread. */
        void track(HttpSource.Body body, boolean open);
    }

    /** An open body and the file position its first byte belongs at. */
    record Opened(HttpSource.Body body, long position) {
    }

    private final Job job;
    private final ChunkPlan plan;
    private final PartialFile file;
    private final DownloadSettings settings;
    private final boolean ranges;

    ChunkWorker(Job job, ChunkPlan plan, PartialFile file, DownloadSettings settings, boolean ranges) {
        this.job = job;
        this.plan = plan;
        this.file = file;
        this.settings = settings;
        this.ranges = ranges;
    }

    @Override
    public void run() {
        ChunkPlan.Chunk chunk;
        while (!job.abandoned() && (chunk = plan.next()) != null) {
            int attempts = 0;
            while (!chunk.done() && !job.abandoned()) {
                long before = plan.downloaded();
                try {
                    fetch(chunk);
                } catch (DownloadException e) {
                    if (job.abandoned()) {
                        break;
                    }
                    if (e.isFatal()) {
                        job.fail(e);
                        break;
                    }
                    // Progress earns fresh attempts only where it is kept: without ranges every retry
                    // starts over from byte 0, so those attempts are never reset.
                    attempts = ranges && plan.downloaded() > before ? 1 : attempts + 1;
                    if (attempts > MAX_ATTEMPTS_WITHOUT_PROGRESS) {
                        job.fail(DownloadException.retryable(e.getMessage() + " (gave up after "
                                + MAX_ATTEMPTS_WITHOUT_PROGRESS + " attempts without progress)"));
                        break;
                    }
                    LOG.info("download of {}: retry {} of the chunk at byte {}: {}", job.id(), attempts,
                            chunk.position(), e.getMessage());
                    settings.sleeper().sleep(Backoff.delay(attempts, e.retryAfter(), settings.random()),
                            job::abandoned);
                }
            }
            plan.release(chunk);
        }
    }

    /** One attempt at the rest of a chunk. */
    private void fetch(ChunkPlan.Chunk chunk) throws DownloadException {
        long from = chunk.position();
        long end = from + plan.remaining(chunk);
        Opened opened = job.open(from, end);
        if (opened.position() < from) {
            plan.written(chunk, opened.position() - from);   // a server without ranges starts over
            from = opened.position();
            end = plan.size();
        }
        HttpSource.Body body = opened.body();
        job.track(body, true);
        if (job.abandoned()) {
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
                int n = in.read(buf, 0, (int) Math.min(settings.bandwidth().maxRead(buf.length), room));
                if (n < 0) {
                    throw DownloadException.retryable("the connection closed " + room + " bytes early");
                }
                settings.bandwidth().acquire(n, job::abandoned);
                file.write(buf, n, pos);
                plan.written(chunk, n);
                pos += n;
            }
        } catch (SocketTimeoutException e) {
            throw DownloadException.retryable("no data for " + settings.stallTimeout().toSeconds() + " s; reconnecting");
        } catch (IOException e) {
            throw DownloadException.retryable("connection lost: " + HttpSource.describe(e));
        } finally {
            job.track(body, false);
            if (!complete) {
                body.abort().run();
            }
        }
    }
}
