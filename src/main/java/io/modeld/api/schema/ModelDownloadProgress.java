package io.modeld.api.schema;

/**
 * ModelDownloadProgress: {@code status} and {@code percentage} as the SDKs read them; {@code bytes},
 * {@code bytesPerSecond} and {@code error} (the reason, on FAILED) are modeld's extensions.
 */
public record ModelDownloadProgress(Schema schema, String status, double percentage, Bytes bytes,
                                    long bytesPerSecond, String error) {

    /** Extension: bytes downloaded so far and the file's size (-1 while unknown). */
    public record Bytes(long downloaded, long total) {
    }
}
