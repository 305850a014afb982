package io.modeld.config;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data dir is private to the user who runs the daemon: the folder is {@code rwx------} and the files
 * modeld creates in it {@code rw-------} (the store, its log, settings, downloads), whatever the umask.
 * The models, the store and the logs say what a user runs and asks; no other account reads them. On a
 * file system without POSIX permissions nothing is changed.
 */
public final class PrivateFiles {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Creates {@code dir} (its parents as the umask says) and makes it {@code rwx------}. */
    public static void directory(Path dir) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (POSIX) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
        if (POSIX && !Files.getPosixFilePermissions(dir).equals(DIR)) {
            Files.setPosixFilePermissions(dir, DIR);
        }
    }

    /** Creates {@code file} empty and {@code rw-------} when it is missing; an existing one is made so. */
    public static Path file(Path file) throws IOException {
        try {
            if (POSIX) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
                return file;
            }
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            if (POSIX && Files.isRegularFile(file) && !Files.getPosixFilePermissions(file).equals(FILE)) {
                Files.setPosixFilePermissions(file, FILE);
            }
        }
        return file;
    }
}
