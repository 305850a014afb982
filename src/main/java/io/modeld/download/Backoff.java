package io.modeld.download;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Delays between retries: exponential from 1 s, capped at 30 s, with jitter so that the parts of one
 * download (and many clients of one server) do not retry in lockstep. A server's Retry-After (up to
 * 5 minutes) lengthens the wait but never shortens it: a storm of 503s with {@code Retry-After: 0}
 * would otherwise use up every attempt within a second and fail a download that a short wait saves.
 */
final class Backoff {

    static final Duration BASE = Duration.ofSeconds(1);
    static final Duration CAP = Duration.ofSeconds(30);
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private Backoff() {
    }

    /** The wait before retry number {@code attempt} (1 for the first retry). */
    static Duration delay(int attempt, Duration retryAfter, RandomGenerator random) {
        long ceiling = Math.min(CAP.toMillis(), BASE.toMillis() << Math.min(attempt - 1, 20));
        Duration ours = Duration.ofMillis(ceiling / 2 + random.nextLong(ceiling / 2 + 1));
        if (retryAfter == null) {
            return ours;
        }
        Duration theirs = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        return theirs.compareTo(ours) > 0 ? theirs : ours;
    }
}
