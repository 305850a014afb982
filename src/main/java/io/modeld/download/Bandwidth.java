package io.modeld.download;

import java.util.function.BooleanSupplier;

/**
 * A cap on download speed shared by every connection of every download ({@code --max-bandwidth}),
 * changeable while downloads run. Each read reserves its bytes on one timeline at the cap's rate and
 * waits for its slot; after a pause up to {@value #BURST_MS} ms of bytes pass at once, so the average
 * over any few seconds stays within a few percent of the cap. A change of the cap forgets the
 * reservations made at the old rate, so it takes effect within one slice of waiting.
 */
public final class Bandwidth {

    private static final long BURST_MS = 100;
    private static final long SLICE_NS = 20_000_000;

    private volatile long bytesPerSecond;
    private long next;
    private long generation;

    /** No cap. */
    public Bandwidth() {
        this(0);
    }

    /** {@code bytesPerSecond} 0 or less means no cap. */
    public Bandwidth(long bytesPerSecond) {
        this.bytesPerSecond = Math.max(0, bytesPerSecond);
    }

    /** The cap in bytes per second; 0 when there is none. */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Changes the cap (0 removes it); downloads running now follow it within a slice. */
    public synchronized void set(long newBytesPerSecond) {
        bytesPerSecond = Math.max(0, newBytesPerSecond);
        next = System.nanoTime();
        generation++;
    }

    /** How many bytes one read should take at most, so that waits stay short at low caps. */
    int maxRead(int buffer) {
        long rate = bytesPerSecond;
        return rate <= 0 ? buffer : (int) Math.max(4096, Math.min(buffer, rate / 50));
    }

    /** Waits until {@code n} more bytes fit under the cap; returns early when {@code abandoned} turns true. */
    void acquire(long n, BooleanSupplier abandoned) {
        while (true) {
            long rate = bytesPerSecond;
            if (rate <= 0) {
                return;
            }
            long slot;
            long gen;
            synchronized (this) {
                long now = System.nanoTime();
                long earliest = now - BURST_MS * 1_000_000;
                if (next < earliest) {
                    next = earliest;
                }
                next += n * 1_000_000_000L / rate;
                slot = next;
                gen = generation;
            }
            if (waitUntil(slot, gen, abandoned)) {
                return;
            }
        }
    }

    /** Sleeps until {@code slot}; false when the cap changed meanwhile and the bytes must be reserved again. */
    private boolean waitUntil(long slot, long gen, BooleanSupplier abandoned) {
        try {
            while (true) {
                long left = slot - System.nanoTime();
                if (left <= 0 || abandoned.getAsBoolean()) {
                    return true;
                }
                synchronized (this) {
                    if (generation != gen) {
                        return false;
                    }
                }
                Thread.sleep(Math.max(1, Math.min(SLICE_NS, left) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
