package io.modeld.engine;

import com.sun.jna.Memory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The disk tier of a {@link PromptCache}: each file one prefix of tokens and the KV state of a sequence that
 * held them, in a folder of the cache root named for the {@code key} (the model file, the slot's context, the
 * KV cache's settings, the llama.cpp release: a state is only valid where all four are the same, and the key is
 * in every file as well). A file is written whole or not at all (a temporary file, flushed, then renamed) and
 * ends with the CRC32C of all it holds; a file cut short, changed, or of another key is removed when it is found,
 * never restored. The root is bounded in all (every model's files together): past the bound the files used
 * least recently go first. Used by one thread.
 *
 * <p>Format: {@code MDPC2\n}, the key (length, UTF-8), the tokens (count, each a little-endian int32), the state
 * (length, bytes), the CRC32C of everything before it (big-endian).
 */
final class PromptFiles {

    private static final byte[] MAGIC = "MDPC2\n".getBytes(StandardCharsets.US_ASCII);
    private static final String SUFFIX = ".prompt";
    private static final String KEPT = ".kept" + SUFFIX;

    /**
     * A file of the folder: its tokens (read when the folder is opened) and its size; {@code kept} when it is a
     * conversation a client comes back to (its name ends {@value #KEPT}), removed after every other.
     */
    record Stored(Path file, int[] tokens, long stateSize, boolean kept) {
    }

    private final Path root;
    private final Path dir;
    private final String key;
    private final long limit;
    private final List<Stored> index = new ArrayList<>();

    private PromptFiles(Path root, Path dir, String key, long limit) {
        this.root = root;
        this.dir = dir;
        this.key = key;
        this.limit = limit;
    }

    /**
     * The folder of {@code key} under {@code root}, its files' tokens read (each file's head only); files cut
     * short, of another key or unreadable are removed, and so are temporary files a write left behind.
     */
    static PromptFiles open(Path root, String key, long limit) throws IOException {
        Path dir = root.resolve(HexFormat.of().formatHex(sha256(key.getBytes(StandardCharsets.UTF_8)), 0, 12));
        Files.createDirectories(dir);
        PromptFiles files = new PromptFiles(root, dir, key, limit);
        try (DirectoryStream<Path> all = Files.newDirectoryStream(dir)) {
            for (Path f : all) {
                String name = f.getFileName().toString();
                if (name.startsWith(".tmp-")) {
                    Files.deleteIfExists(f);
                } else if (name.endsWith(SUFFIX)) {
                    Stored s = files.head(f);
                    if (s == null) {
                        Files.deleteIfExists(f);
                    } else {
                        files.index.add(s);
                    }
                }
            }
        }
        return files;
    }

    /** The files, as read when the folder was opened and written since. */
    List<Stored> stored() {
        return index;
    }

    /** Bytes the folder's files hold. */
    long bytes() {
        return index.stream().mapToLong(s -> s.stateSize).sum();
    }

    /**
     * The state in {@code s}, in native memory the caller then owns, once its whole file is read and its checksum
     * matches; null (and the file removed) when it does not, or the file is gone. Marks the file used.
     */
    Memory read(Stored s) {
        try {
            Loaded loaded = readFile(s.file, key);
            if (loaded.stateSize() != s.stateSize || !Arrays.equals(loaded.tokens(), s.tokens)) {
                loaded.state().close();
                throw new IOException("changed since it was indexed");
            }
            Files.setLastModifiedTime(s.file, FileTime.fromMillis(System.currentTimeMillis()));
            return loaded.state();
        } catch (IOException | RuntimeException e) {
            forget(s);
            return null;
        }
    }

    /** A file read whole: its tokens and their state, in native memory the caller then owns. */
    record Loaded(int[] tokens, Memory state, long stateSize) {
    }

    /**
     * Reads {@code file} whole, checking that it is of {@code key} and that its checksum matches; IOException
     * saying why when it is not (nothing is left allocated then). The state goes from the file straight into
     * native memory, and the checksum is CRC32C, which the JVM computes with the CPU's own instruction: reading a
     * 60 MB state with SHA-256 through streams took 85 ms warm and 230 ms in a fresh runner, which the first turn
     * after a restart paid.
     */
    static Loaded readFile(Path file, String key) throws IOException {
        Memory state = null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            CRC32C crc = new CRC32C();
            // the head's length depends on its token count: its first bytes say it (and are checked), then it all
            ByteBuffer first = ByteBuffer.allocate((int) Math.min(fileSize, 1 << 16));
            readFully(ch, first, 0);
            int count = tokenCount(new DataInputStream(new java.io.ByteArrayInputStream(first.array())), key,
                    fileSize);
            long headSize = headSize(key, count);
            ByteBuffer head = ByteBuffer.allocate((int) headSize);
            readFully(ch, head, 0);
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(head.array()));
            int[] tokens = headOf(in, key, fileSize);
            long size = in.readLong();
            if (size <= 0 || headSize + size + 4 != fileSize) {
                throw new IOException("it is cut short (its length fields do not match its size)");
            }
            crc.update(head.array());
            state = new Memory(size);
            for (long at = 0; at < size; ) {
                int n = (int) Math.min(1 << 30, size - at);
                ByteBuffer part = state.getByteBuffer(at, n);
                readFully(ch, part, headSize + at);
                part.flip();
                crc.update(part);
                at += n;
            }
            ByteBuffer stored = ByteBuffer.allocate(4);
            readFully(ch, stored, headSize + size);
            if (stored.getInt(0) != (int) crc.getValue()) {
                throw new IOException("its checksum does not match: the file is cut short or changed");
            }
            return new Loaded(tokens, state, size);
        } catch (IOException | RuntimeException e) {
            if (state != null) {
                state.close();
            }
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = ch.read(into, at);
            if (n < 0) {
                throw new IOException("it is cut short");
            }
            at += n;
        }
    }

    /**
     * Writes {@code tokens} with their {@code state} ({@code size} bytes), unless a file of the same tokens is
     * there (it is marked used instead); then removes what the root's bound no longer holds. A write that fails
     * (a full disk) leaves nothing behind.
     */
    void write(int[] tokens, Memory state, long size, boolean kept) {
        Path file = dir.resolve(name(tokens, kept));
        for (Stored s : index) {
            if (s.file.equals(file)) {
                touch(file);
                return;
            }
        }
        if (size > limit) {
            return;
        }
        try {
            writeFile(file, key, tokens, state, size);
            index.add(new Stored(file, tokens.clone(), size, kept));
        } catch (IOException e) {
            return;
        }
        bound();
    }

    /**
     * Writes {@code tokens} and their {@code state} ({@code size} bytes) of {@code key} to {@code file}, whole or
     * not at all: a temporary file beside it, flushed to the disk, then renamed over it.
     */
    static void writeFile(Path file, String key, int[] tokens, Memory state, long size) throws IOException {
        Path tmp = file.resolveSibling(".tmp-" + java.util.UUID.randomUUID());
        try {
            CRC32C crc = new CRC32C();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.wrap(head(key, tokens, size));
                crc.update(head.duplicate());
                writeFully(ch, head);
                for (long at = 0; at < size; ) {
                    int n = (int) Math.min(1 << 30, size - at);
                    ByteBuffer part = state.getByteBuffer(at, n);
                    crc.update(part.duplicate());
                    writeFully(ch, part);
                    at += n;
                }
                writeFully(ch, ByteBuffer.allocate(4).putInt(0, (int) crc.getValue()));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer from) throws IOException {
        while (from.hasRemaining()) {
            ch.write(from);
        }
    }

    /**
     * Removes the root's files used least recently (every key's) until they fit the bound, conversations clients
     * come back to after all others.
     */
    private void bound() {
        record Found(Path file, long size, long used, boolean kept) {
        }
        List<Found> all = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                if (!Files.isDirectory(d)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(d, "*" + SUFFIX)) {
                    for (Path f : files) {
                        all.add(new Found(f, Files.size(f), Files.getLastModifiedTime(f).toMillis(),
                                f.getFileName().toString().endsWith(KEPT)));
                    }
                }
            }
        } catch (IOException e) {
            return;
        }
        long total = all.stream().mapToLong(Found::size).sum();
        all.sort(java.util.Comparator.comparing(Found::kept).thenComparingLong(Found::used));
        for (Found f : all) {
            if (total <= limit) {
                break;
            }
            try {
                Files.deleteIfExists(f.file);
            } catch (IOException ignored) {
                continue;
            }
            total -= f.size;
            index.removeIf(s -> s.file.equals(f.file));
        }
    }

    private void forget(Stored s) {
        index.remove(s);
        try {
            Files.deleteIfExists(s.file);
        } catch (IOException ignored) {
            // gone already, or the next open tries again
        }
    }

    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // only the order of removal is lost
        }
    }

    /** The file's head when it is one of this key whose length matches what the head says; else null. */
    private Stored head(Path f) {
        try (InputStream raw = Files.newInputStream(f)) {
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16));
            long fileSize = Files.size(f);
            int[] tokens = headOf(in, key, fileSize);
            long size = in.readLong();
            return size > 0 && fileSize == headSize(key, tokens.length) + size + 4
                    ? new Stored(f, tokens, size, f.getFileName().toString().endsWith(KEPT)) : null;
        } catch (IOException | RuntimeException e) {
            return null;   // gone, cut short, or of another key
        }
    }

    /** Reads the magic, the key (which must be {@code key}) and the tokens; IOException saying which is wrong. */
    private static int[] headOf(DataInputStream in, String key, long fileSize) throws IOException {
        int count = tokenCount(in, key, fileSize);
        byte[] raw = in.readNBytes(4 * count);
        if (raw.length != 4 * count) {
            throw new IOException("it is cut short");
        }
        int[] tokens = new int[count];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(tokens);
        return tokens;
    }

    /** Reads the magic, the key (which must be {@code key}) and the token count, which must fit the file. */
    private static int tokenCount(DataInputStream in, String key, long fileSize) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (magic.length < MAGIC.length && Arrays.equals(magic, Arrays.copyOf(MAGIC, magic.length))) {
            throw new IOException("it is cut short");
        }
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("it is not a modeld prompt file");
        }
        if (fileSize < MAGIC.length + 4L) {
            throw new IOException("it is cut short");
        }
        int keyLength = in.readInt();
        byte[] mine = key.getBytes(StandardCharsets.UTF_8);
        byte[] theirs = in.readNBytes(Math.max(0, Math.min(keyLength, 1 << 16)));
        if (keyLength > 0 && theirs.length < keyLength && MAGIC.length + 4L + keyLength > fileSize) {
            throw new IOException("it is cut short");
        }
        if (keyLength != mine.length || !Arrays.equals(theirs, mine)) {
            throw new IOException("it was saved from another model file, context or KV cache setting");
        }
        if (fileSize < MAGIC.length + 8L + keyLength) {
            throw new IOException("it is cut short");
        }
        int count = in.readInt();
        if (count <= 0 || count > (1 << 24) || headSize(key, count) > fileSize) {
            throw new IOException("it is cut short (its token count is more than it holds)");
        }
        return count;
    }

    /** The bytes before the state: magic, key, tokens and the state's length. */
    private static long headSize(String key, int tokens) {
        return MAGIC.length + 4L + key.getBytes(StandardCharsets.UTF_8).length + 4L + 4L * tokens + 8;
    }

    private static byte[] head(String key, int[] tokens, long size) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + k.length + 4 + 4 * tokens.length + 8);
        b.put(MAGIC).putInt(k.length).put(k).putInt(tokens.length);
        ByteBuffer t = ByteBuffer.allocate(4 * tokens.length).order(ByteOrder.LITTLE_ENDIAN);
        t.asIntBuffer().put(tokens);
        b.put(t.array()).putLong(size);
        return b.array();
    }

    private static String name(int[] tokens, boolean kept) {
        ByteBuffer b = ByteBuffer.allocate(4 * tokens.length);
        b.asIntBuffer().put(tokens);
        return HexFormat.of().formatHex(sha256(b.array()), 0, 16) + (kept ? KEPT : SUFFIX);
    }

    private static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
