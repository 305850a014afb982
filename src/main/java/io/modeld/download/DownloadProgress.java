package io.modeld.download;

/**
 * One progress frame: a Pieces ModelDownloadProgress status and percentage, plus the bytes, speed and
 * failure reason that modeld adds; {@code missing} when it failed because the source has no such thing
 * (what Ollama's pull answers with a 404).
 */
public record DownloadProgress(DownloadStatus status, double percentage, long downloaded, long total,
                               long bytesPerSecond, String error, boolean missing) {

    public DownloadProgress(DownloadStatus status, double percentage, long downloaded, long total, long bytesPerSecond,
                            String error) {
        this(status, percentage, downloaded, total, bytesPerSecond, error, false);
    }

    public boolean terminal() {
        return status.terminal();
    }

    /** The frame of a job that runs: bytes and percentage never go backwards within one job. */
    static DownloadProgress of(DownloadStatus status, long downloaded, long total, long bytesPerSecond, String error) {
        return of(status, downloaded, total, bytesPerSecond, error, false);
    }

    static DownloadProgress of(DownloadStatus status, long downloaded, long total, long bytesPerSecond, String error,
                               boolean missing) {
        double percentage = status == DownloadStatus.COMPLETED ? 100
                : total > 0 ? Math.floor(downloaded * 10000.0 / total) / 100 : 0;
        return new DownloadProgress(status, percentage, downloaded, total, bytesPerSecond, error, missing);
    }
}
