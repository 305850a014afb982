package io.modeld.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes small llama-architecture GGUF models with random weights and a byte-level SentencePiece
 * vocabulary (&lt;unk&gt;, &lt;s&gt;, &lt;/s&gt; and the 256 byte tokens), which llama.cpp loads and runs: any
 * text tokenizes through byte fallback. {@link #TINY} is about 120 KB, {@link #SMALL} about 135 MB.
 */
public record TinyLlama(int embedding, int layers, int feedForward, int heads, int headsKv, int context) {

    /** 32-dim, 1 layer: about 120 KB. */
    public static final TinyLlama TINY = new TinyLlama(32, 1, 96, 4, 4, 256);
    /** 512-dim, 8 layers, 2048 feed-forward: about 135 MB. */
    public static final TinyLlama SMALL = new TinyLlama(512, 8, 2048, 8, 8, 2048);

    static final int VOCAB = 3 + 256;

    /** Writes the model; the same seed gives the same bytes. */
    public void write(Path file, long seed) throws IOException {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        int[] types = new int[VOCAB];
        float[] scores = new float[VOCAB];
        types[0] = 2; // unknown
        types[1] = 3; // control
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types[3 + b] = 6; // byte
        }
        int headDim = embedding / heads;
        GgufWriter w = new GgufWriter()
                .string("general.architecture", "llama")
                .string("general.name", "modeld tiny llama " + embedding + "x" + layers)
                .u32("general.file_type", 0)
                .u32("llama.context_length", context)
                .u32("llama.embedding_length", embedding)
                .u32("llama.block_count", layers)
                .u32("llama.feed_forward_length", feedForward)
                .u32("llama.attention.head_count", heads)
                .u32("llama.attention.head_count_kv", headsKv)
                .u32("llama.rope.dimension_count", headDim)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .u32("llama.vocab_size", VOCAB)
                .string("tokenizer.ggml.model", "llama")
                .strings("tokenizer.ggml.tokens", tokens)
                .f32s("tokenizer.ggml.scores", scores)
                .i32s("tokenizer.ggml.token_type", types)
                .u32("tokenizer.ggml.unknown_token_id", 0)
                .u32("tokenizer.ggml.bos_token_id", 1)
                .u32("tokenizer.ggml.eos_token_id", 2)
                .bool("tokenizer.ggml.add_bos_token", true);
        long kv = (long) headDim * headsKv;
        SplittableRandom random = new SplittableRandom(seed);
        w.tensor("token_embd.weight", new long[] {embedding, VOCAB}, weights(random));
        w.tensor("output_norm.weight", new long[] {embedding}, i -> 1.0);
        w.tensor("output.weight", new long[] {embedding, VOCAB}, weights(random));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            w.tensor(p + "attn_norm.weight", new long[] {embedding}, i -> 1.0);
            w.tensor(p + "attn_q.weight", new long[] {embedding, embedding}, weights(random));
            w.tensor(p + "attn_k.weight", new long[] {embedding, kv}, weights(random));
            w.tensor(p + "attn_v.weight", new long[] {embedding, kv}, weights(random));
            w.tensor(p + "attn_output.weight", new long[] {embedding, embedding}, weights(random));
            w.tensor(p + "ffn_norm.weight", new long[] {embedding}, i -> 1.0);
            w.tensor(p + "ffn_gate.weight", new long[] {embedding, feedForward}, weights(random));
            w.tensor(p + "ffn_down.weight", new long[] {feedForward, embedding}, weights(random));
            w.tensor(p + "ffn_up.weight", new long[] {embedding, feedForward}, weights(random));
        }
        w.write(file);
    }

    /** Small random weights; the writer asks for elements in order, once each. */
    private static java.util.function.LongToDoubleFunction weights(SplittableRandom parent) {
        SplittableRandom r = parent.split();
        return i -> (r.nextDouble() - 0.5) * 0.1;
    }
}
