package io.modeld.download;

import io.modeld.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * What a download in flight needs to resume after a crash: where from, how big, and how far each chunk
 * got. Written beside the partial file as temp file + fsync + atomic rename, and only after the data it
 * describes has been forced to disk, so it never claims bytes that a power cut could lose.
 */
record ResumeState(String url, long size, boolean ranges, String validator, String expectedSha256,
                   List<ChunkPlan.Saved> chunks) {

    static final String FILE = "download.json";

    void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        byte[] json = Json.MAPPER.writeValueAsBytes(this);
        io.modeld.config.PrivateFiles.file(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(json);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The saved state in {@code dir}, or null when there is none or it is unreadable. */
    static ResumeState read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(file.toFile(), ResumeState.class);
        } catch (IOException e) {
            return null;
        }
    }
}
