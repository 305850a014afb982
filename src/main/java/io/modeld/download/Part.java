package io.modeld.download;

import io.modeld.catalog.FileIdentity;
import java.net.URI;
import java.nio.file.Path;

/**
 * One file of a download: fetched from {@code uri} (or copied from {@code localFile}), named
 * {@code fileName} in {@code models/<id>/}, {@code size} bytes (-1 until the server says) with the
 * SHA-256 it must have (null when only the download tells), the Authorization its host wants, and the
 * key its resume state is saved under (the source URL, or the blob's). A model from a registry may have
 * several: the shards of its weights. A local file may be pinned ({@code identity}): the file its model was
 * created with, which must still be there, unchanged, when it is copied.
 */
record Part(URI uri, Path localFile, String fileName, long size, String sha256, Authorizer auth, String resumeKey,
            FileIdentity identity) {
}
