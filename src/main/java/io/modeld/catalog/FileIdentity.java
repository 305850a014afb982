package io.modeld.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * Which file a {@code file://} source named when its model was created: the real path (links resolved
 * then, as the user chose them), the file system's key for it (device and inode on Unix), its size and
 * modification time. A download checks the file it opens is still that one, so a file swapped since
 * (for a link to a secret of the same size) is refused rather than copied in.
 */
public record FileIdentity(String path, String key, long size, long modifiedNanos) {

    /** The identity of the file {@code given} names now, following links in {@code given}. */
    public static FileIdentity of(Path given) throws IOException {
        return at(given.toRealPath());
    }

    /** The identity of what lies at {@code real} now, without following a link there. */
    public static FileIdentity at(Path real) throws IOException {
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new IOException(real + " is no longer a regular file");
        }
        return new FileIdentity(real.toString(), String.valueOf(a.fileKey()), a.size(),
                a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    }

    /** Whether the file at this identity's path is still the same one, unchanged. */
    public boolean unchanged() {
        try {
            return equals(at(Path.of(path)));
        } catch (IOException e) {
            return false;
        }
    }
}
