package io.modeld.download;

import java.time.Duration;

/**
 * A download step failed. A {@link #retryable} failure (a dropped connection, a 503, a stall) is tried
 * again with backoff; a {@link #fatal} one (a 404, a digest mismatch, a full disk) ends the download at once.
 */
final class DownloadException extends Exception {

    private final boolean fatal;
    private final Duration retryAfter;

    private DownloadException(String message, boolean fatal, Duration retryAfter) {
        super(message);
        this.fatal = fatal;
        this.retryAfter = retryAfter;
    }

    /** A failure that waiting and trying again may get past. */
    static DownloadException retryable(String message) {
        return new DownloadException(message, false, null);
    }

    /** A failure the server asked us to wait out ({@code Retry-After}, null when it did not say). */
    static DownloadException retryable(String message, Duration retryAfter) {
        return new DownloadException(message, false, retryAfter);
    }

    /** A failure no retry can fix. */
    static DownloadException fatal(String message) {
        return new DownloadException(message, true, null);
    }

    boolean isFatal() {
        return fatal;
    }

    /** What the server asked us to wait (Retry-After), or null. */
    Duration retryAfter() {
        return retryAfter;
    }
}
