package io.modeld.download;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Hashes the partial file while it is being written, following the prefix that is complete. Because
 * chunks are fetched lowest offset first, the prefix grows steadily and little is left to hash when the
 * last byte arrives. It reads back from the file (the page cache, in practice), so it works the same for
 * a fresh download and for one resumed from disk.
 */
final class PrefixHasher implements Runnable {

    private static final int BUFFER = 1 << 20;
    private static final long IDLE_WAIT_MS = 10;

    private final FileChannel file;
    private final ChunkPlan plan;
    private final BooleanSupplier abandoned;
    private final CompletableFuture<String> digest = new CompletableFuture<>();
    private volatile long hashed;

    PrefixHasher(FileChannel file, ChunkPlan plan, BooleanSupplier abandoned) {
        this.file = file;
        this.plan = plan;
        this.abandoned = abandoned;
    }

    @Override
    public void run() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
            long size = plan.size();
            while (hashed < size) {
                if (abandoned.getAsBoolean()) {
                    digest.cancel(false);
                    return;
                }
                long upTo = plan.contiguous();
                if (upTo <= hashed) {
                    Thread.sleep(IDLE_WAIT_MS);
                    continue;
                }
                buf.clear().limit((int) Math.min(BUFFER, upTo - hashed));
                int n = file.read(buf, hashed);
                if (n <= 0) {
                    throw new IOException("the partial file is shorter than the bytes written to it");
                }
                buf.flip();
                md.update(buf);
                hashed += n;
            }
            digest.complete(HexFormat.of().formatHex(md.digest()));
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            digest.completeExceptionally(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            digest.cancel(false);
        }
    }

    long hashed() {
        return hashed;
    }

    /** The hex SHA-256 of the whole file, once every byte is written and hashed. */
    CompletableFuture<String> digest() {
        return digest;
    }
}
