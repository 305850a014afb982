package io.modeld.gguf;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToDoubleFunction;

/**
 * Writes GGUF version 3 files with F32 tensors whose values come from a function, streamed to disk so
 * that a 135 MB model never sits in memory. Used to make test models; see {@link TinyLlama}.
 */
public final class GgufWriter {

    private static final int ALIGNMENT = 32;

    private record Entry(String key, GgufValueType type, Object value) {
    }

    private record Tensor(String name, long[] dims, LongToDoubleFunction values) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private final List<Entry> metadata = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter string(String key, String value) {
        metadata.add(new Entry(key, GgufValueType.STRING, value));
        return this;
    }

    public GgufWriter u32(String key, long value) {
        metadata.add(new Entry(key, GgufValueType.UINT32, value));
        return this;
    }

    public GgufWriter u16(String key, int value) {
        metadata.add(new Entry(key, GgufValueType.UINT16, value));
        return this;
    }

    public GgufWriter i32(String key, int value) {
        metadata.add(new Entry(key, GgufValueType.INT32, value));
        return this;
    }

    public GgufWriter f32(String key, float value) {
        metadata.add(new Entry(key, GgufValueType.FLOAT32, value));
        return this;
    }

    public GgufWriter bool(String key, boolean value) {
        metadata.add(new Entry(key, GgufValueType.BOOL, value));
        return this;
    }

    public GgufWriter strings(String key, List<String> values) {
        metadata.add(new Entry(key, GgufValueType.ARRAY, new Object[] {GgufValueType.STRING, values}));
        return this;
    }

    public GgufWriter f32s(String key, float[] values) {
        metadata.add(new Entry(key, GgufValueType.ARRAY, new Object[] {GgufValueType.FLOAT32, values}));
        return this;
    }

    public GgufWriter i32s(String key, int[] values) {
        metadata.add(new Entry(key, GgufValueType.ARRAY, new Object[] {GgufValueType.INT32, values}));
        return this;
    }

    /** An F32 tensor of shape {@code dims} (ggml order, innermost first); element i is {@code values(i)}. */
    public GgufWriter tensor(String name, long[] dims, LongToDoubleFunction values) {
        tensors.add(new Tensor(name, dims.clone(), values));
        return this;
    }

    public void write(Path file) throws IOException {
        write(file, metadata, tensors);
    }

    /**
     * Writes the model in {@code parts} files as llama.cpp's gguf-split does, {@code <prefix>-00001-of-0000N.gguf}
     * in {@code dir}: the metadata in the first, the tensors spread over all, and in each the
     * {@code split.no}, {@code split.count} and {@code split.tensors.count} keys. Returns the files in order.
     */
    public List<Path> writeSplit(Path dir, String prefix, int parts) throws IOException {
        List<Path> files = new ArrayList<>();
        int per = (tensors.size() + parts - 1) / parts;
        for (int i = 0; i < parts; i++) {
            List<Entry> meta = new ArrayList<>(i == 0 ? metadata : List.of());
            meta.add(new Entry("split.no", GgufValueType.UINT16, i));
            meta.add(new Entry("split.count", GgufValueType.UINT16, parts));
            meta.add(new Entry("split.tensors.count", GgufValueType.INT32, tensors.size()));
            Path file = dir.resolve(String.format(java.util.Locale.ROOT, "%s-%05d-of-%05d.gguf", prefix, i + 1, parts));
            write(file, meta, tensors.subList(Math.min(i * per, tensors.size()), Math.min((i + 1) * per, tensors.size())));
            files.add(file);
        }
        return files;
    }

    /**
     * Writes the header and tensor infos only, and extends the file to its full size without writing the
     * tensor data (a sparse file): what a scan of many large models reads, at no disk cost.
     */
    public void writeHeaderOnly(Path file) throws IOException {
        long data;
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20))) {
            Le le = header(out, metadata, tensors);
            data = le.written;
        }
        long total = 0;
        for (Tensor t : tensors) {
            total = align(total + t.elements() * 4);
        }
        try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(data + total);
        }
    }

    private static Le header(DataOutputStream out, List<Entry> metadata, List<Tensor> tensors) throws IOException {
        Le le = new Le(out);
        le.u32(GgufReader.MAGIC);
        le.u32(3);
        le.u64(tensors.size());
        le.u64(metadata.size());
        for (Entry e : metadata) {
            le.string(e.key());
            le.u32(e.type().ordinal());
            le.value(e.type(), e.value());
        }
        long offset = 0;
        for (Tensor t : tensors) {
            le.string(t.name());
            le.u32(t.dims().length);
            for (long d : t.dims()) {
                le.u64(d);
            }
            le.u32(0); // GGML_TYPE_F32
            le.u64(offset);
            offset = align(offset + t.elements() * 4);
        }
        le.pad();
        return le;
    }

    private static void write(Path file, List<Entry> metadata, List<Tensor> tensors) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20))) {
            Le le = header(out, metadata, tensors);
            for (Tensor t : tensors) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < t.elements(); i++) {
                    if (!buf.hasRemaining()) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat((float) t.values().applyAsDouble(i));
                }
                out.write(buf.array(), 0, buf.position());
                le.written += t.elements() * 4;
                le.pad();
            }
        }
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Little-endian writes that count the bytes written, for alignment. */
    private static final class Le {
        private final DataOutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long written;

        Le(DataOutputStream out) {
            this.out = out;
        }

        void u32(long v) throws IOException {
            scratch.clear();
            scratch.putInt((int) v);
            emit(4);
        }

        void u64(long v) throws IOException {
            scratch.clear();
            scratch.putLong(v);
            emit(8);
        }

        void f32(float v) throws IOException {
            scratch.clear();
            scratch.putFloat(v);
            emit(4);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.write(b);
            written += b.length;
        }

        void value(GgufValueType type, Object v) throws IOException {
            switch (type) {
                case STRING -> string((String) v);
                case UINT32 -> u32((Long) v);
                case UINT16 -> {
                    scratch.clear();
                    scratch.putShort((short) (int) (Integer) v);
                    emit(2);
                }
                case INT32 -> u32((Integer) v);
                case FLOAT32 -> f32((Float) v);
                case BOOL -> {
                    out.write((Boolean) v ? 1 : 0);
                    written++;
                }
                case ARRAY -> array((Object[]) v);
                default -> throw new IllegalArgumentException("the writer does not write " + type);
            }
        }

        @SuppressWarnings("unchecked")
        private void array(Object[] v) throws IOException {
            GgufValueType element = (GgufValueType) v[0];
            u32(element.ordinal());
            switch (element) {
                case STRING -> {
                    List<String> values = (List<String>) v[1];
                    u64(values.size());
                    for (String s : values) {
                        string(s);
                    }
                }
                case FLOAT32 -> {
                    float[] values = (float[]) v[1];
                    u64(values.length);
                    for (float f : values) {
                        f32(f);
                    }
                }
                case INT32 -> {
                    int[] values = (int[]) v[1];
                    u64(values.length);
                    for (int i : values) {
                        u32(i);
                    }
                }
                default -> throw new IllegalArgumentException("the writer does not write arrays of " + element);
            }
        }

        void pad() throws IOException {
            while (written % ALIGNMENT != 0) {
                out.write(0);
                written++;
            }
        }

        private void emit(int n) throws IOException {
            out.write(scratch.array(), 0, n);
            written += n;
        }
    }
}
