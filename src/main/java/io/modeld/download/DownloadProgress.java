package io.modeld.download;

/**
 * One progress frame: a Pieces ModelDownloadProgress {@code status} spelling and percentage, plus the
 * bytes, speed and failure reason that modeld adds.
 */
public record DownloadProgress(String status, double percentage, long downloaded, long total, long bytesPerSecond,
                               String error) {

    public boolean terminal() {
        return status.equals("COMPLETED") || status.equals("FAILED") || status.equals("CANCELED");
    }

    static DownloadProgress of(DownloadJob.Progress p) {
        return new DownloadProgress(p.status().wire, p.percentage(), p.downloaded(), p.total(), p.bytesPerSecond(),
                p.error());
    }
}
