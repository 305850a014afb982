package io.modeld.runtime;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unloads models idle longer than their keep-alive (the daemon's {@code --keep-alive}, or what a request
 * set), checking every second: a request's keep-alive can be as short as a few seconds. The decision is
 * {@link Scheduler#expireIdle}, on the scheduler's clock; tests call it directly with a clock of their own.
 */
public final class KeepAlive implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeepAlive.class);

    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "modeld-keep-alive");
        t.setDaemon(true);
        return t;
    });

    private KeepAlive(Scheduler scheduler) {
        sweeper.scheduleAtFixedRate(() -> {
            try {
                scheduler.expireIdle();
            } catch (RuntimeException e) {
                LOG.warn("the keep-alive sweep failed", e);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** Sweeps {@code scheduler}'s idle models every second until closed. */
    public static KeepAlive sweep(Scheduler scheduler) {
        return new KeepAlive(scheduler);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
