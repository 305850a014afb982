package io.modeld.download;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Delays between retries: exponential from 1 s, capped at 30 s, with jitter so that the parts of one
 * download (and many clients of one server) do not retry in lockstep; a server's Retry-After wins,
 * up to 5 minutes.
 */
final class Backoff {

    static final Duration BASE = Duration.ofSeconds(1);
    static final Duration CAP = Duration.ofSeconds(30);
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private Backoff() {
    }

    /** The wait before retry number {@code attempt} (1 for the first retry). */
    static Duration delay(int attempt, Duration retryAfter, RandomGenerator random) {
        if (retryAfter != null) {
            return retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        }
        long ceiling = Math.min(CAP.toMillis(), BASE.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ceiling / 2 + random.nextLong(ceiling / 2 + 1));
    }
}
