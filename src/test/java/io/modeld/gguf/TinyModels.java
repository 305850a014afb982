package io.modeld.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Tiny random-weight models of this year's architectures, with their real tensor names and metadata
 * keys, which llama.cpp's current build loads and runs: {@code qwen3} (per-head Q/K norms) and
 * {@code gemma3} (post-attention and post-feed-forward norms); and {@code bert} as an embedding model
 * (mean pooling) or as a reranker (a classifier head with rank pooling). llama.cpp of March 2025
 * knew neither qwen3 nor gemma3.
 */
public final class TinyModels {

    private static final int EMBD = 64;
    private static final int HEADS = 4;
    private static final int FFN = 128;
    private static final int CONTEXT = 512;

    private TinyModels() {
    }

    /** A two-layer {@code qwen3} model. */
    public static void qwen3(Path file, long seed) throws IOException {
        decoder("qwen3", seed, false).write(file);
    }

    /** The same {@code qwen3} model in {@code parts} files, as gguf-split writes them; returns them in order. */
    public static java.util.List<Path> qwen3Split(Path dir, String prefix, int parts, long seed) throws IOException {
        return decoder("qwen3", seed, false).writeSplit(dir, prefix, parts);
    }

    /** A two-layer {@code gemma3} model. */
    public static void gemma3(Path file, long seed) throws IOException {
        decoder("gemma3", seed, true).write(file);
    }

    private static GgufWriter decoder(String arch, long seed, boolean postNorms) {
        int headDim = EMBD / HEADS;
        int layers = 2;
        GgufWriter w = new GgufWriter().string("general.architecture", arch)
                .string("general.name", "modeld tiny " + arch).u32("general.file_type", 0)
                .u32(arch + ".context_length", CONTEXT).u32(arch + ".embedding_length", EMBD)
                .u32(arch + ".block_count", layers).u32(arch + ".feed_forward_length", FFN)
                .u32(arch + ".attention.head_count", HEADS).u32(arch + ".attention.head_count_kv", HEADS)
                .u32(arch + ".attention.key_length", headDim).u32(arch + ".attention.value_length", headDim)
                .f32(arch + ".attention.layer_norm_rms_epsilon", 1e-6f).f32(arch + ".rope.freq_base", 10000f);
        TinyVocab.addTo(w, false);
        SplittableRandom random = new SplittableRandom(seed);
        w.tensor("token_embd.weight", new long[] {EMBD, TinyVocab.SIZE}, TinyVocab.weights(random));
        w.tensor("output_norm.weight", new long[] {EMBD}, i -> 1.0);
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            w.tensor(p + "attn_norm.weight", new long[] {EMBD}, i -> 1.0);
            w.tensor(p + "attn_q.weight", new long[] {EMBD, EMBD}, TinyVocab.weights(random));
            w.tensor(p + "attn_k.weight", new long[] {EMBD, EMBD}, TinyVocab.weights(random));
            w.tensor(p + "attn_v.weight", new long[] {EMBD, EMBD}, TinyVocab.weights(random));
            w.tensor(p + "attn_output.weight", new long[] {EMBD, EMBD}, TinyVocab.weights(random));
            w.tensor(p + "attn_q_norm.weight", new long[] {headDim}, i -> 1.0);
            w.tensor(p + "attn_k_norm.weight", new long[] {headDim}, i -> 1.0);
            if (postNorms) {
                w.tensor(p + "post_attention_norm.weight", new long[] {EMBD}, i -> 1.0);
            }
            w.tensor(p + "ffn_norm.weight", new long[] {EMBD}, i -> 1.0);
            w.tensor(p + "ffn_gate.weight", new long[] {EMBD, FFN}, TinyVocab.weights(random));
            w.tensor(p + "ffn_up.weight", new long[] {EMBD, FFN}, TinyVocab.weights(random));
            w.tensor(p + "ffn_down.weight", new long[] {FFN, EMBD}, TinyVocab.weights(random));
            if (postNorms) {
                w.tensor(p + "post_ffw_norm.weight", new long[] {EMBD}, i -> 1.0);
            }
        }
        return w;
    }

    /** A two-layer {@code bert} embedding model with mean pooling: vectors of {@value #EMBD} floats. */
    public static void bertEmbedder(Path file, long seed) throws IOException {
        bert(file, seed, 1);
    }

    /** A two-layer {@code bert} reranker: a classifier head with rank pooling, one score per pair. */
    public static void bertReranker(Path file, long seed) throws IOException {
        bert(file, seed, 4);
    }

    private static void bert(Path file, long seed, int pooling) throws IOException {
        bert(file, seed, EMBD, 2, FFN, HEADS, pooling);
    }

    /** A {@code bert} of any size: {@code pooling} 1 (mean) for an embedder, 4 (rank) for a reranker. */
    public static void bert(Path file, long seed, int embd, int layers, int ffn, int heads, int pooling)
            throws IOException {
        GgufWriter w = new GgufWriter().string("general.architecture", "bert")
                .string("general.name", pooling == 4 ? "modeld tiny reranker" : "modeld tiny embedder")
                .u32("general.file_type", 0)
                .u32("bert.context_length", CONTEXT).u32("bert.embedding_length", embd).u32("bert.block_count", layers)
                .u32("bert.feed_forward_length", ffn).u32("bert.attention.head_count", heads)
                .f32("bert.attention.layer_norm_epsilon", 1e-12f).bool("bert.attention.causal", false)
                .u32("bert.pooling_type", pooling).u32("tokenizer.ggml.token_type_count", 2);
        TinyVocab.addTo(w, pooling == 4);
        SplittableRandom random = new SplittableRandom(seed);
        w.tensor("token_embd.weight", new long[] {embd, TinyVocab.SIZE}, TinyVocab.weights(random));
        w.tensor("token_types.weight", new long[] {embd, 2}, TinyVocab.weights(random));
        w.tensor("position_embd.weight", new long[] {embd, CONTEXT}, TinyVocab.weights(random));
        w.tensor("token_embd_norm.weight", new long[] {embd}, i -> 1.0);
        w.tensor("token_embd_norm.bias", new long[] {embd}, i -> 0.0);
        if (pooling == 4) {
            w.tensor("cls.weight", new long[] {embd, embd}, TinyVocab.weights(random));
            w.tensor("cls.bias", new long[] {embd}, i -> 0.0);
            w.tensor("cls.output.weight", new long[] {embd, 1}, TinyVocab.weights(random));
            w.tensor("cls.output.bias", new long[] {1}, i -> 0.0);
        }
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            w.tensor(p + "attn_q.weight", new long[] {embd, embd}, TinyVocab.weights(random));
            w.tensor(p + "attn_q.bias", new long[] {embd}, i -> 0.0);
            w.tensor(p + "attn_k.weight", new long[] {embd, embd}, TinyVocab.weights(random));
            w.tensor(p + "attn_k.bias", new long[] {embd}, i -> 0.0);
            w.tensor(p + "attn_v.weight", new long[] {embd, embd}, TinyVocab.weights(random));
            w.tensor(p + "attn_v.bias", new long[] {embd}, i -> 0.0);
            w.tensor(p + "attn_output.weight", new long[] {embd, embd}, TinyVocab.weights(random));
            w.tensor(p + "attn_output.bias", new long[] {embd}, i -> 0.0);
            w.tensor(p + "attn_output_norm.weight", new long[] {embd}, i -> 1.0);
            w.tensor(p + "attn_output_norm.bias", new long[] {embd}, i -> 0.0);
            w.tensor(p + "ffn_up.weight", new long[] {embd, ffn}, TinyVocab.weights(random));
            w.tensor(p + "ffn_up.bias", new long[] {ffn}, i -> 0.0);
            w.tensor(p + "ffn_down.weight", new long[] {ffn, embd}, TinyVocab.weights(random));
            w.tensor(p + "ffn_down.bias", new long[] {embd}, i -> 0.0);
            w.tensor(p + "layer_output_norm.weight", new long[] {embd}, i -> 1.0);
            w.tensor(p + "layer_output_norm.bias", new long[] {embd}, i -> 0.0);
        }
        w.write(file);
    }
}
