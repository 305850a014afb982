package io.modeld.download;

/** A download step failed; permanent failures end the download at once, others are retried. */
final class DownloadException extends Exception {

    private final boolean permanent;
    private final java.time.Duration retryAfter;

    DownloadException(String message, boolean permanent) {
        this(message, permanent, null);
    }

    DownloadException(String message, boolean permanent, java.time.Duration retryAfter) {
        super(message);
        this.permanent = permanent;
        this.retryAfter = retryAfter;
    }

    boolean permanent() {
        return permanent;
    }

    /** What the server asked us to wait (Retry-After), or null. */
    java.time.Duration retryAfter() {
        return retryAfter;
    }
}
