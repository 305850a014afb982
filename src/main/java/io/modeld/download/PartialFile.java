package io.modeld.download;

import io.modeld.config.DataDir;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The file a download writes into, {@code partial/<id>/<name>.part}, and its resume state beside it.
 * A fresh file is preallocated to its full size, so connections write their chunks in place. Progress
 * is persisted by forcing the data first and then writing the state (temp file, fsync, rename), so the
 * state never claims bytes that a power cut could lose. A finished file moves into {@code models/<id>/}
 * by an atomic rename. Every I/O failure becomes a fatal {@link DownloadException}, a full disk saying so.
 */
final class PartialFile implements AutoCloseable {

    private final Path dir;
    private final Path part;
    private final FileChannel channel;

    private PartialFile(Path dir, Path part, FileChannel channel) {
        this.dir = dir;
        this.part = part;
        this.channel = channel;
    }

    /** Opens the partial file for {@code fileName} in {@code dir}: a preallocated empty one when {@code fresh}. */
    static PartialFile open(Path dir, String fileName, long size, boolean fresh) throws DownloadException {
        Path part = partPath(dir, fileName);
        try {
            Files.createDirectories(dir);
            if (fresh) {
                io.modeld.config.PrivateFiles.file(part);
                try (RandomAccessFile raf = new RandomAccessFile(part.toFile(), "rw")) {
                    raf.setLength(0);
                    raf.setLength(size);
                }
            }
            return new PartialFile(dir, part, FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    /**
     * The chunk plan to resume from, or null to start over: there must be a saved state for the same
     * URL and a partial file, and the server must still honour ranges. A file whose size changed since
     * is a fatal failure; one whose validator (ETag) changed starts over.
     */
    static ChunkPlan resumable(Path dir, String fileName, String url, long size, boolean ranges, String validator)
            throws DownloadException {
        ResumeState saved = ResumeState.read(dir);
        if (saved == null || !Files.exists(partPath(dir, fileName))) {
            return null;
        }
        if (!saved.url().equals(url) || !saved.ranges() || !ranges) {
            return null;
        }
        if (saved.size() != size) {
            throw DownloadException.fatal("the file on the server changed size since the download began (was "
                    + saved.size() + " bytes, now " + size + "); its partial data was removed");
        }
        if (saved.validator() != null && validator != null && !saved.validator().equals(validator)) {
            return null;
        }
        return ChunkPlan.resumed(size, saved.chunks());
    }

    private static Path partPath(Path dir, String fileName) {
        return dir.resolve(fileName + ".part");
    }

    FileChannel channel() {
        return channel;
    }

    /** Writes {@code n} bytes of {@code buf} at {@code pos}. */
    void write(byte[] buf, int n, long pos) throws DownloadException {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        try {
            long at = pos;
            while (bb.hasRemaining()) {
                at += channel.write(bb, at);
            }
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    long size() throws DownloadException {
        try {
            return channel.size();
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    /** Forces the data to disk, then records {@code base} with {@code chunks} as the resume state. */
    void persist(ResumeState base, List<ChunkPlan.Saved> chunks) throws DownloadException {
        try {
            channel.force(false);
            new ResumeState(base.url(), base.size(), base.ranges(), base.validator(), base.expectedSha256(), chunks)
                    .write(dir);
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    /**
     * Refuses a file that is not a GGUF model: whatever a URL, a swapped local file or a registry served,
     * nothing but a model that parses is ever marked downloaded (or pushed on from here).
     */
    void requireGguf(String name) throws DownloadException {
        try {
            GgufReader.read(channel);
        } catch (GgufFormatException e) {
            throw DownloadException.fatal(name + " is not a GGUF model (" + e.getMessage() + "); nothing was kept");
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    /** Moves the verified file to {@code finalDir/name}, durably (the folder is synced after the rename). */
    void finish(Path finalDir, String name) throws DownloadException {
        try {
            channel.force(false);
            Files.createDirectories(finalDir);
            Files.move(part, finalDir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel folder = FileChannel.open(finalDir, StandardOpenOption.READ)) {
                folder.force(true);
            }
        } catch (IOException e) {
            throw diskError(e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was pending: every write that mattered was forced before.
        }
    }

    /** Removes a download's partial data; a failure is left for the next start to clean up. */
    static void remove(Path dir, org.slf4j.Logger log) {
        try {
            DataDir.deleteTree(dir);
        } catch (IOException e) {
            log.warn("cannot remove the partial data in {}: {}", dir, e.getMessage());
        }
    }

    /** What an I/O failure on the model file means to the user; a full disk says so. */
    static DownloadException diskError(IOException e) {
        String m = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (m != null && m.contains("No space left")) {
            return DownloadException.fatal("the disk is full (No space left on device); the partial data was "
                    + "removed; free some space and download again");
        }
        return DownloadException.fatal("cannot write the model file: " + m);
    }

    /**
     * INSUFFICIENT_STORAGE when the model's known size does not fit the disk under {@code partialDir}, counting
     * what is there already; nothing when its size is unknown or the disk cannot say.
     */
    static void checkRoom(io.modeld.catalog.ModelSpec spec, Path partialDir) {
        if (spec.bytes() == null) {
            return;
        }
        try {
            Path existing = partialDir;
            while (!Files.exists(existing)) {
                existing = existing.getParent();
            }
            long free = Files.getFileStore(existing).getUsableSpace();
            if (spec.bytes() > free + bytesIn(partialDir)) {
                throw new io.modeld.ModeldException(io.modeld.ModeldException.Kind.INSUFFICIENT_STORAGE,
                        "not enough disk space for '" + spec.name() + "': needs " + spec.bytes() + " bytes, " + free
                                + " bytes free in " + partialDir.getParent());
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(Downloads.class).warn("cannot check free space: {}", e.getMessage());
        }
    }

    private static long bytesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            long sum = 0;
            for (Path f : files.toList()) {
                sum += Files.size(f);
            }
            return sum;
        }
    }
}
