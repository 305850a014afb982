package io.modeld.download;

import io.modeld.registry.RegistryClient;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * What every download shares: limits, the threads, the bandwidth cap, how retries wait and draw their
 * jitter. {@code authorization} gives the Authorization header for a source URL, or null.
 */
record DownloadSettings(int connections, Duration stallTimeout, Executor workers,
                        Sleeper sleeper, RandomGenerator random,
                        Function<URI, String> authorization, String hfEndpoint, Bandwidth bandwidth,
                        RegistryClient registry) {

    /** Waits between retries; returns early when {@code abandon} turns true. */
    interface Sleeper {
        void sleep(Duration duration, BooleanSupplier abandon);

        /** Sleeps for real, in short slices so that a cancel is noticed within 50 ms. */
        Sleeper REAL = (duration, abandon) -> {
            long end = System.nanoTime() + duration.toNanos();
            try {
                while (!abandon.getAsBoolean() && System.nanoTime() < end) {
                    Thread.sleep(Math.max(1, Math.min(50, (end - System.nanoTime()) / 1_000_000)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** Daemon threads named {@code prefix-N}. */
    static java.util.concurrent.ThreadFactory threads(String prefix) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
