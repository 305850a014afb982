package io.modeld.gguf;


/**
 * What a model needs in memory once loaded, from its GGUF metadata: the weights (mapped from the file),
 * the KV cache for its context (keys and values for every layer, f16 unless quantized), llama.cpp's compute buffers, and
 * the runner JVM itself.
 *
 * @param context the context the model will be loaded with
 */
public record MemoryEstimate(long weights, long kvCache, long compute, long runner, int context) {

    /** The default context: the model's trained context, at most 4096. */
    public static final int DEFAULT_CONTEXT = 4096;
    /** Measured: a runner JVM with llama.cpp loaded and no model, 66 MB here; with a margin (SerialGC, 64 MB heap cap). */
    static final long RUNNER_OVERHEAD = 75L << 20;
    private static final int UBATCH = 512;

    public long total() {
        return weights + kvCache + compute + runner;
    }

    /** The estimate for {@code file} ({@code fileSize} bytes); {@code context} 0 means the default. */
    public static MemoryEstimate of(GgufFile file, long fileSize, int context) {
        return of(file, fileSize, context, 1);
    }

    /**
     * The estimate with {@code slots} sequences of {@code context} tokens each (a generator serving that many
     * requests at once): the KV cache holds them all.
     */
    public static MemoryEstimate of(GgufFile file, long fileSize, int context, int slots) {
        return of(file, fileSize, context, slots, 2.0);
    }

    /** The same with a KV cache of {@code kvBytes} bytes an element (2 for f16; a quantized type's share of its block). */
    public static MemoryEstimate of(GgufFile file, long fileSize, int context, int slots, double kvBytes) {
        long trained = orElse(file.archInteger("context_length"), DEFAULT_CONTEXT);
        // llama.cpp rounds every context up to a multiple of 256, so the KV cache is that big.
        int ctx = (int) pad(context > 0 ? context : Math.min(trained, DEFAULT_CONTEXT), 256);
        long layers = orElse(file.archInteger("block_count"), 0);
        long embedding = orElse(file.archInteger("embedding_length"), 0);
        long heads = Math.max(1, orElse(file.archInteger("attention.head_count"), 1));
        long headsKv = orElse(file.archInteger("attention.head_count_kv"), heads);
        long headDim = orElse(file.archInteger("attention.key_length"), embedding / heads);
        long kv = (long) Math.ceil(2.0 * layers * ctx * headsKv * headDim * kvBytes * Math.max(1, slots));
        long vocab = vocabulary(file);
        long feedForward = orElse(file.archInteger("feed_forward_length"), 4 * embedding);
        // Logits for one micro-batch plus the largest activations of one layer, in f32.
        long compute = 4L * UBATCH * (vocab + 2 * embedding + 2 * feedForward) + 4L * heads * UBATCH * Math.min(ctx, UBATCH);
        return new MemoryEstimate(fileSize, kv, compute, RUNNER_OVERHEAD, ctx);
    }

    private static long vocabulary(GgufFile file) {
        Long v = file.archInteger("vocab_size");
        if (v != null) {
            return v;
        }
        Object tokens = file.metadata().get("tokenizer.ggml.tokens");
        if (tokens instanceof GgufReader.SkippedArray a) {
            return a.length();
        }
        return tokens instanceof java.util.List<?> l ? l.size() : 32_000;
    }

    private static long pad(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    private static long orElse(Long v, long fallback) {
        return v == null ? fallback : v;
    }
}
