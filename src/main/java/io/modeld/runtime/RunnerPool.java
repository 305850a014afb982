package io.modeld.runtime;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runner processes that hold no model. Starting a runner costs a JVM start and llama.cpp's
 * initialisation (about 0.3 s here), several times an in-process load of a small model; so one spare
 * is kept started and idle, and a load takes it and starts the next one in the background, 10 s later:
 * a JVM starting at once competed with the first answer of the model just loaded for the CPU (its
 * first 20 tokens took 0.67 s instead of 0.06 s here, on 2 cores). A runner whose model was unloaded
 * becomes the spare when there is none (its memory was given back). With spares off, every load
 * starts its own runner.
 */
final class RunnerPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerPool.class);

    private final RunnerFactory factory;
    private final boolean keepSpare;
    private static final long REFILL_DELAY_MS = 10_000;

    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "modeld-spare-runner");
        t.setDaemon(true);
        return t;
    });
    private ModelRunner spare;
    /** Why the last runner could not start (llama.cpp failed to load in it); null once one started. */
    private volatile String startFailure;
    private boolean starting;
    private boolean closed;

    RunnerPool(RunnerFactory factory, boolean keepSpare) {
        this.factory = factory;
        this.keepSpare = keepSpare;
    }

    /** Starts the first spare in the background (when spares are on). */
    void warmUp() {
        refill(0);
    }

    /** A started runner with no model: the spare when there is a live one, else a new one. */
    ModelRunner take() throws RunnerFailure {
        ModelRunner r;
        synchronized (this) {
            r = spare;
            spare = null;
        }
        refill(REFILL_DELAY_MS);
        if (r != null && r.alive()) {
            return r;
        }
        if (r != null) {
            r.close();
        }
        return started();
    }

    /** A new runner; what its start says of the engine is kept for {@link #startFailure}. */
    private ModelRunner started() throws RunnerFailure {
        try {
            ModelRunner r = factory.start();
            startFailure = null;
            if (devices == null && r.gpuNote() != null) {
                LOG.info(r.gpuNote());   // which GPU backend serves, and on what, or why none does: once
            }
            devices = r.devices();
            gpuNote = r.gpuNote();
            return r;
        } catch (RunnerFailure e) {
            startFailure = e.getMessage();
            throw e;
        }
    }

    /** The GPUs the last runner that started found; null before one has. */
    private volatile java.util.List<io.modeld.engine.Device> devices;

    /** The GPUs the runners find: the last started one's, or, before any, those of one started now (kept spare). */
    java.util.List<io.modeld.engine.Device> devices() throws RunnerFailure {
        if (devices == null) {
            giveBack(take());
        }
        return devices;
    }

    private volatile String gpuNote;

    /** What the last runner that started said of the GPU: which backend serves and on what, or why none; or null. */
    String gpuNote() {
        return gpuNote;
    }

    java.util.List<io.modeld.engine.Device> knownDevices() {
        java.util.List<io.modeld.engine.Device> d = devices;
        return d == null ? java.util.List.of() : d;
    }

    /** Why the last runner could not start (the engine failed its check), or null when the last one started. */
    String startFailure() {
        return startFailure;
    }

    /** Takes back a runner whose model was unloaded: it becomes the spare, or ends when one is there. */
    void giveBack(ModelRunner r) {
        synchronized (this) {
            if (!closed && keepSpare && spare == null && r.alive()) {
                spare = r;
                return;
            }
        }
        r.close();
    }

    /** The spare's pid and resident memory, or null when there is none; for {@code GET /memory}. */
    synchronized long[] spare() {
        return spare == null ? null : new long[] {spare.pid(), spare.residentBytes()};
    }

    private void refill(long delayMs) {
        synchronized (this) {
            if (!keepSpare || closed || spare != null || starting) {
                return;
            }
            starting = true;
        }
        background.schedule(() -> {
            synchronized (this) {
                if (closed || spare != null) {
                    starting = false;
                    return;
                }
            }
            ModelRunner started = null;
            try {
                started = started();
            } catch (RunnerFailure | RuntimeException e) {
                LOG.warn("no spare runner: {}", e.getMessage());
            }
            synchronized (this) {
                starting = false;
                if (started != null && !closed && spare == null) {
                    spare = started;
                    started = null;
                }
            }
            if (started != null) {
                started.close();
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        ModelRunner r;
        synchronized (this) {
            closed = true;
            r = spare;
            spare = null;
        }
        if (r != null) {
            r.close();
        }
        background.shutdownNow();
    }
}
