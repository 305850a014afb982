package io.modeld.gguf;

import java.io.IOException;
import java.nio.file.Path;
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
    /** 256-dim, 1 layer: every row a multiple of 256, so llama.cpp can quantize it to K-quants and Q8_0. */
    public static final TinyLlama QUANTIZABLE = new TinyLlama(256, 1, 512, 4, 4, 512);

    static final int VOCAB = TinyVocab.SIZE;

    /** Writes the model; the same seed gives the same bytes. */
    public void write(Path file, long seed) throws IOException {
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
                .u32("llama.vocab_size", VOCAB);
        TinyVocab.addTo(w, false);
        long kv = (long) headDim * headsKv;
        SplittableRandom random = new SplittableRandom(seed);
        w.tensor("token_embd.weight", new long[] {embedding, VOCAB}, TinyVocab.weights(random));
        w.tensor("output_norm.weight", new long[] {embedding}, i -> 1.0);
        w.tensor("output.weight", new long[] {embedding, VOCAB}, TinyVocab.weights(random));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            w.tensor(p + "attn_norm.weight", new long[] {embedding}, i -> 1.0);
            w.tensor(p + "attn_q.weight", new long[] {embedding, embedding}, TinyVocab.weights(random));
            w.tensor(p + "attn_k.weight", new long[] {embedding, kv}, TinyVocab.weights(random));
            w.tensor(p + "attn_v.weight", new long[] {embedding, kv}, TinyVocab.weights(random));
            w.tensor(p + "attn_output.weight", new long[] {embedding, embedding}, TinyVocab.weights(random));
            w.tensor(p + "ffn_norm.weight", new long[] {embedding}, i -> 1.0);
            w.tensor(p + "ffn_gate.weight", new long[] {embedding, feedForward}, TinyVocab.weights(random));
            w.tensor(p + "ffn_down.weight", new long[] {feedForward, embedding}, TinyVocab.weights(random));
            w.tensor(p + "ffn_up.weight", new long[] {embedding, feedForward}, TinyVocab.weights(random));
        }
        w.write(file);
    }

}
