package io.modeld.download;

import java.util.ArrayDeque;

/** Bytes per second over the last two seconds, from samples of the bytes downloaded so far. */
final class SpeedMeter {

    private static final long WINDOW_MS = 2000;

    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private volatile long bytesPerSecond;

    /** Records that {@code downloaded} bytes were there at {@code nowMs}. Called from one thread. */
    void sample(long nowMs, long downloaded) {
        samples.addLast(new long[] {nowMs, downloaded});
        while (samples.size() > 1 && nowMs - samples.peekFirst()[0] > WINDOW_MS) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        long dt = nowMs - first[0];
        bytesPerSecond = dt <= 0 ? 0 : Math.max(0, (downloaded - first[1]) * 1000 / dt);
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }
}
