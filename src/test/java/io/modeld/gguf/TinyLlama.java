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
    /** As {@link #TINY} with a context of 4096 tokens: room for a real chat template's system prompt and tools. */
    public static final TinyLlama CHAT = new TinyLlama(32, 1, 96, 4, 4, 4096);
    /** 512-dim, 8 layers, 2048 feed-forward: about 135 MB. */
    public static final TinyLlama SMALL = new TinyLlama(512, 8, 2048, 8, 8, 2048);
    /** 256-dim, 1 layer: every row a multiple of 256, so llama.cpp can quantize it to K-quants and Q8_0. */
    public static final TinyLlama QUANTIZABLE = new TinyLlama(256, 1, 512, 4, 4, 512);

    static final int VOCAB = TinyVocab.SIZE;
    /** The ChatML template the tiny models carry unless given another. */
    public static final String CHATML = TinyVocab.CHATML;

    /** Writes {@link #TINY} to the file {@code args[0]} (tools/template-renders.sh gives it to llama-server). */
    public static void main(String[] args) throws IOException {
        TINY.write(Path.of(args[0]), 1);
    }

    /** Writes the model; the same seed gives the same bytes. */
    public void write(Path file, long seed) throws IOException {
        write(file, seed, TinyVocab.CHATML);
    }

    /** Writes the model with the chat template {@code template} (a real model's, say). */
    public void write(Path file, long seed, String template) throws IOException {
        write(file, seed, template, java.util.List.of());
    }

    /**
     * Writes the model with the chat template {@code template} and the control tokens {@code specials} it
     * writes (as a real model's vocabulary has them), so that its markers are one token each.
     */
    public void write(Path file, long seed, String template, java.util.List<String> specials) throws IOException {
        write(file, seed, template, specials, "llama");
    }

    /**
     * The same model in Qwen2-VL's architecture: the llama's layers with biases on the query, key and value, and
     * M-RoPE (its rotary dimensions in four sections: time, height, width, and none), so that an image's
     * embeddings take two-dimensional positions. For projectors of the Qwen-VL kind.
     */
    public void writeQwen2Vl(Path file, long seed) throws IOException {
        write(file, seed, TinyVocab.CHATML, java.util.List.of(), "qwen2vl");
    }

    private void write(Path file, long seed, String template, java.util.List<String> specials, String arch)
            throws IOException {
        int vocab = VOCAB + specials.size();
        int headDim = embedding / heads;
        GgufWriter w = new GgufWriter()
                .string("general.architecture", arch)
                .string("general.name", "modeld tiny " + arch + " " + embedding + "x" + layers)
                .u32("general.file_type", 0)
                .u32(arch + ".context_length", context)
                .u32(arch + ".embedding_length", embedding)
                .u32(arch + ".block_count", layers)
                .u32(arch + ".feed_forward_length", feedForward)
                .u32(arch + ".attention.head_count", heads)
                .u32(arch + ".attention.head_count_kv", headsKv)
                .u32(arch + ".rope.dimension_count", headDim)
                .f32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f)
                .u32(arch + ".vocab_size", vocab);
        boolean mrope = arch.equals("qwen2vl");
        if (mrope) {   // half the rotary dimensions, split as Qwen2-VL splits its 64 of 128: 2:3:3
            int half = headDim / 2;
            int t = half / 4;
            w.i32s(arch + ".rope.dimension_sections", new int[] {t, (half - t) / 2, half - t - (half - t) / 2, 0});
        }
        TinyVocab.addTo(w, false, template, specials);
        long kv = (long) headDim * headsKv;
        SplittableRandom random = new SplittableRandom(seed);
        w.tensor("token_embd.weight", new long[] {embedding, vocab}, TinyVocab.weights(random));
        w.tensor("output_norm.weight", new long[] {embedding}, i -> 1.0);
        w.tensor("output.weight", new long[] {embedding, vocab}, TinyVocab.weights(random));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            w.tensor(p + "attn_norm.weight", new long[] {embedding}, i -> 1.0);
            w.tensor(p + "attn_q.weight", new long[] {embedding, embedding}, TinyVocab.weights(random));
            w.tensor(p + "attn_k.weight", new long[] {embedding, kv}, TinyVocab.weights(random));
            w.tensor(p + "attn_v.weight", new long[] {embedding, kv}, TinyVocab.weights(random));
            if (mrope) {
                w.tensor(p + "attn_q.bias", new long[] {embedding}, i -> 0.0);
                w.tensor(p + "attn_k.bias", new long[] {kv}, i -> 0.0);
                w.tensor(p + "attn_v.bias", new long[] {kv}, i -> 0.0);
            }
            w.tensor(p + "attn_output.weight", new long[] {embedding, embedding}, TinyVocab.weights(random));
            w.tensor(p + "ffn_norm.weight", new long[] {embedding}, i -> 1.0);
            w.tensor(p + "ffn_gate.weight", new long[] {embedding, feedForward}, TinyVocab.weights(random));
            w.tensor(p + "ffn_down.weight", new long[] {feedForward, embedding}, TinyVocab.weights(random));
            w.tensor(p + "ffn_up.weight", new long[] {embedding, feedForward}, TinyVocab.weights(random));
        }
        w.write(file);
    }

}
