package io.modeld.gguf;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the header, metadata and tensor infos of a GGUF file (versions 2 and 3).
 *
 * <p>GGUF metadata is untrusted input, so every length and count is checked against the bytes left in
 * the file before anything is allocated: a count that cannot fit is a format error, never an
 * allocation. Arrays longer than {@link #KEPT_ARRAY} (a tokenizer's 150,000 tokens) are skipped and kept
 * as their type and length only. Counts that fit in the file can still be absurd (a 48 MB file held
 * 2.5 million keys and filled the heap of whoever kept its header), so what is kept is capped too:
 * {@link #MAX_KEYS} metadata keys, {@link #MAX_TENSORS} tensors with names of at most
 * {@link #MAX_TENSOR_NAME} bytes (llama.cpp's own limit), and {@link #MAX_KEPT_BYTES} of kept strings. Real
 * models stay far below: about 50 keys, a few thousand tensors, a chat template of tens of kilobytes.
 */
public final class GgufReader {

    static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    static final int KEPT_ARRAY = 64;
    private static final int MAX_STRING = 1 << 20;
    private static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_DEPTH = 2;
    /** Metadata keys read from one file; real models have about 50. */
    public static final int MAX_KEYS = 4096;
    /** Tensors of one file; the largest mixtures of experts have a few thousand. */
    public static final int MAX_TENSORS = 65_536;
    /** llama.cpp's {@code GGML_MAX_NAME}, the longest tensor name it reads, terminator included. */
    static final int MAX_TENSOR_NAME = 64;
    /** Bytes of strings kept from the metadata (keys and values; skipped arrays do not count). */
    public static final long MAX_KEPT_BYTES = 8L << 20;

    /** An array read as its element type and length only. */
    public record SkippedArray(String elementType, long length) {
    }

    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final FileChannel channel;
    private final long size;
    private final ByteBuffer window = ByteBuffer.allocate(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    private long windowStart;
    private long keptBytes;

    private GgufReader(FileChannel channel) throws IOException {
        this.channel = channel;
        this.size = channel.size();
        window.limit(0);
    }

    /** Reads the file's header, metadata and tensor infos. */
    public static GgufFile read(Path file) throws IOException, GgufFormatException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new GgufReader(ch).readFile();
        }
    }

    /** Reads the header of an open file (positional reads: the channel's position is not used). */
    public static GgufFile read(FileChannel channel) throws IOException, GgufFormatException {
        return new GgufReader(channel).readFile();
    }

    private GgufFile readFile() throws IOException, GgufFormatException {
        if (u32("magic") != MAGIC) {
            throw new GgufFormatException("not a GGUF file (no GGUF magic at the start)");
        }
        int version = (int) u32("version");
        if (version != 2 && version != 3) {
            throw new GgufFormatException("GGUF version " + version + " is not supported (2 and 3 are)");
        }
        long tensorCount = count("tensor count", 24);
        long kvCount = count("metadata count", 13);
        if (kvCount > MAX_KEYS) {
            throw new GgufFormatException("the header holds " + kvCount + " metadata keys; modeld reads at most "
                    + MAX_KEYS + " (real models hold about 50)");
        }
        if (tensorCount > MAX_TENSORS) {
            throw new GgufFormatException("the file holds " + tensorCount + " tensors; modeld reads at most "
                    + MAX_TENSORS);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string("metadata key " + i);
            GgufValueType type = GgufValueType.of((int) u32("type of " + key));
            metadata.put(key, value(type, key, 0));
        }
        List<GgufFile.TensorInfo> tensors = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = string("tensor name " + i);
            if (name.getBytes(StandardCharsets.UTF_8).length >= MAX_TENSOR_NAME) {
                throw new GgufFormatException("tensor " + i + " has a name of more than " + (MAX_TENSOR_NAME - 1)
                        + " bytes, which llama.cpp does not read");
            }
            int dims = (int) u32("dimensions of " + name);
            if (dims < 1 || dims > MAX_DIMS) {
                throw new GgufFormatException("tensor " + name + " has " + dims + " dimensions (1 to 4 allowed)");
            }
            long[] shape = new long[dims];
            for (int d = 0; d < dims; d++) {
                shape[d] = u64("dimension of " + name);
                if (shape[d] < 0 || shape[d] > (1L << 40)) {
                    throw new GgufFormatException("tensor " + name + " has an impossible dimension " + shape[d]);
                }
            }
            int type = (int) u32("type of " + name);
            long offset = u64("offset of " + name);
            if (offset < 0 || offset > size) {
                throw new GgufFormatException("tensor " + name + " starts beyond the end of the file");
            }
            GgufFile.TensorInfo t = new GgufFile.TensorInfo(name, shape, type, offset);
            try {
                t.elements();
            } catch (ArithmeticException e) {
                throw new GgufFormatException("tensor " + name + " is impossibly large");
            }
            tensors.add(t);
        }
        long alignment = metadata.get("general.alignment") instanceof Number n ? n.longValue() : 32;
        if (alignment <= 0 || Long.bitCount(alignment) != 1 || alignment > (1 << 20)) {
            throw new GgufFormatException("general.alignment " + alignment + " is not a power of two");
        }
        long dataOffset = (position() + alignment - 1) / alignment * alignment;
        if (dataOffset > size) {
            throw new GgufFormatException("the file ends before its tensor data");
        }
        GgufFile file = new GgufFile(version, Collections.unmodifiableMap(metadata), List.copyOf(tensors), dataOffset,
                keptBytes + 96L * tensors.size());
        try {
            file.parameterCount();
        } catch (ArithmeticException e) {
            throw new GgufFormatException("the tensors are impossibly large");
        }
        return file;
    }

    private Object value(GgufValueType type, String key, int depth) throws IOException, GgufFormatException {
        return switch (type) {
            case UINT8 -> bytes(1, key).get() & 0xFF;
            case INT8 -> (int) bytes(1, key).get();
            case UINT16 -> bytes(2, key).getShort() & 0xFFFF;
            case INT16 -> (int) bytes(2, key).getShort();
            case UINT32 -> u32(key);
            case INT32 -> bytes(4, key).getInt();
            case FLOAT32 -> bytes(4, key).getFloat();
            case BOOL -> bytes(1, key).get() != 0;
            case STRING -> string(key);
            case UINT64, INT64 -> bytes(8, key).getLong();
            case FLOAT64 -> bytes(8, key).getDouble();
            case ARRAY -> array(key, depth);
        };
    }

    private Object array(String key, int depth) throws IOException, GgufFormatException {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw new GgufFormatException(key + ": arrays nested too deep");
        }
        GgufValueType element = GgufValueType.of((int) u32("element type of " + key));
        long length = count("length of " + key, element.minBytes);
        if (length > KEPT_ARRAY) {
            // Vocabularies of 150,000 tokens: this loop is most of a header's reading time.
            if (element == GgufValueType.STRING) {
                skipStrings(length, key);
            } else if (element == GgufValueType.ARRAY) {
                for (long i = 0; i < length; i++) {
                    skipValue(element, key, depth + 1);
                }
            } else {
                skip(length * element.minBytes, key);
            }
            return new SkippedArray(element.name(), length);
        }
        List<Object> values = new ArrayList<>((int) length);
        for (long i = 0; i < length; i++) {
            values.add(value(element, key, depth + 1));
        }
        return List.copyOf(values);
    }

    /**
     * Skips {@code count} strings in one loop, the hot spot of reading a header: a 150,000-token vocabulary
     * and its merges are 300,000 strings. One method, so the JIT compiles it early in a scan.
     */
    private void skipStrings(long count, String key) throws IOException, GgufFormatException {
        byte[] bytes = window.array();
        long i = 0;
        while (i < count) {
            if (window.remaining() < 8) {
                refill(key, 8);
            }
            // As many strings as lie whole in the window, read straight from its array.
            int pos = window.position();
            int limit = window.limit();
            while (i < count && limit - pos >= 8) {
                long length = (long) LONG_LE.get(bytes, pos);
                if (length < 0 || length > limit - pos - 8) {
                    break;
                }
                pos += 8 + (int) length;
                i++;
            }
            window.position(pos);
            if (i < count && window.remaining() >= 8) {
                long length = window.getLong();
                if (length < 0 || length > MAX_STRING || length > size - position()) {
                    throw new GgufFormatException(key + ": a string of " + Long.toUnsignedString(length)
                            + " bytes does not fit (at most " + MAX_STRING + " and the rest of the file)");
                }
                skip(length, key);
                i++;
            }
        }
    }

    private void skipValue(GgufValueType type, String key, int depth) throws IOException, GgufFormatException {
        switch (type) {
            case STRING -> skip(stringLength(key), key);
            case ARRAY -> array(key, depth);
            default -> skip(type.minBytes, key);
        }
    }

    private String string(String what) throws IOException, GgufFormatException {
        int length = stringLength(what);
        keptBytes += length;
        if (keptBytes > MAX_KEPT_BYTES) {
            throw new GgufFormatException("the header's strings exceed " + (MAX_KEPT_BYTES >> 20) + " MiB at " + what
                    + "; modeld reads no more (real headers hold well under a megabyte besides the vocabulary)");
        }
        byte[] b = new byte[length];
        bytesInto(b, what);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new GgufFormatException(what + ": not valid UTF-8");
        }
    }

    private int stringLength(String what) throws IOException, GgufFormatException {
        long length = u64(what);
        if (length < 0 || length > MAX_STRING || length > size - position()) {
            throw new GgufFormatException(what + ": a string of " + Long.toUnsignedString(length)
                    + " bytes does not fit (at most " + MAX_STRING + " and the rest of the file)");
        }
        return (int) length;
    }

    /** A count read from the file, refused when that many items of {@code minBytes} each cannot fit. */
    private long count(String what, int minBytes) throws IOException, GgufFormatException {
        long n = u64(what);
        long left = size - position();
        if (n < 0 || n > left / Math.max(1, minBytes)) {
            throw new GgufFormatException(what + " " + Long.toUnsignedString(n) + " cannot fit in the "
                    + left + " bytes left in the file");
        }
        return n;
    }

    private long u32(String what) throws IOException, GgufFormatException {
        return bytes(4, what).getInt() & 0xFFFFFFFFL;
    }

    private long u64(String what) throws IOException, GgufFormatException {
        return bytes(8, what).getLong();
    }

    private long position() {
        return windowStart + window.position();
    }

    /** Makes {@code n} bytes (at most the window) readable at the window's position. */
    private ByteBuffer bytes(int n, String what) throws IOException, GgufFormatException {
        if (window.remaining() < n) {
            refill(what, n);
        }
        return window;
    }

    private void bytesInto(byte[] dst, String what) throws IOException, GgufFormatException {
        int done = 0;
        while (done < dst.length) {
            if (!window.hasRemaining()) {
                refill(what, 1);
            }
            int n = Math.min(window.remaining(), dst.length - done);
            window.get(dst, done, n);
            done += n;
        }
    }

    private void skip(long n, String what) throws IOException, GgufFormatException {
        long left = n;
        while (left > 0) {
            if (!window.hasRemaining()) {
                refill(what, 1);
            }
            int step = (int) Math.min(window.remaining(), left);
            window.position(window.position() + step);
            left -= step;
        }
    }

    private void refill(String what, int need) throws IOException, GgufFormatException {
        long at = position();
        if (size - at < need) {
            throw new GgufFormatException("the file ends inside " + what + " (at byte " + at + ")");
        }
        window.clear();
        windowStart = at;
        while (window.position() < need) {
            int r = channel.read(window, at + window.position());
            if (r < 0) {
                throw new EOFException("unexpected end of file");
            }
        }
        window.flip();
    }
}
