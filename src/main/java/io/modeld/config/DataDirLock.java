package io.modeld.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per data dir: an exclusive OS lock on {@code <data-dir>/modeld.lock}, held for the
 * daemon's life, with the holder's pid written inside so that a second daemon can say who holds it.
 * The operating system drops the lock when the process ends, however it ends, so a {@code kill -9}
 * never leaves a stale lock behind; the file itself stays and is reused.
 */
public final class DataDirLock implements AutoCloseable {

    static final String FILE = "modeld.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Another process (or this one) already holds the data dir. */
    public static final class InUseException extends RuntimeException {
        InUseException(String message) {
            super(message);
        }
    }

    /** Takes the lock, creating the data dir if needed; {@link InUseException} names the holder. */
    public static DataDirLock acquire(Path dataDir) {
        try {
            PrivateFiles.directory(dataDir);
            Path file = PrivateFiles.file(dataDir.resolve(FILE));
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new InUseException("the data dir " + dataDir + " is in use by " + holder
                        + "; stop that daemon or use another --data-dir");
            }
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            channel.force(true);
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the data dir " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
            return pid.matches("\\d+") ? "pid " + pid : "another process";
        } catch (IOException e) {
            return "another process";
        }
    }

    /** Releases the lock; the file stays for the next daemon. */
    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // The process is ending or the channel is gone; the OS drops the lock either way.
        }
    }
}
