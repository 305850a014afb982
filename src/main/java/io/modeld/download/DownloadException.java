package io.modeld.download;

import java.time.Duration;

/**
 * A download step failed. A {@link #retryable} failure (a dropped connection, a 503, a stall) is tried
 * again with backoff; a {@link #fatal} one (a 404, a digest mismatch, a full disk) ends the download at once.
 */
final class DownloadException extends Exception {

    private final boolean fatal;
    private final boolean missing;
    private final boolean unreachable;
    private final Duration retryAfter;

    private DownloadException(String message, boolean fatal, boolean missing, Duration retryAfter) {
        this(message, fatal, missing, false, retryAfter);
    }

    private DownloadException(String message, boolean fatal, boolean missing, boolean unreachable, Duration retryAfter) {
        super(message);
        this.fatal = fatal;
        this.missing = missing;
        this.unreachable = unreachable;
        this.retryAfter = retryAfter;
    }

    /** No HTTP answer came at all (refused, reset, silent): retryable, but a source never reached is soon given up. */
    static DownloadException unreachable(String message) {
        return new DownloadException(message, false, false, true, null);
    }

    /** Whether no HTTP answer came at all. */
    boolean unreachable() {
        return unreachable;
    }

    /** A failure that waiting and trying again may get past. */
    static DownloadException retryable(String message) {
        return new DownloadException(message, false, false, null);
    }

    /** A failure the server asked us to wait out ({@code Retry-After}, null when it did not say). */
    static DownloadException retryable(String message, Duration retryAfter) {
        return new DownloadException(message, false, false, retryAfter);
    }

    /** A failure no retry can fix. */
    static DownloadException fatal(String message) {
        return new DownloadException(message, true, false, null);
    }

    /** The source has no such file or model (a 404, a registry without that manifest): final too. */
    static DownloadException missing(String message) {
        return new DownloadException(message, true, true, null);
    }

    /** Whether the source said it has no such thing. */
    boolean missing() {
        return missing;
    }

    boolean isFatal() {
        return fatal;
    }

    /** What the server asked us to wait (Retry-After), or null. */
    Duration retryAfter() {
        return retryAfter;
    }
}
