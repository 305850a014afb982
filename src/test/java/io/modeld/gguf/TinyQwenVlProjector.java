package io.modeld.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A vision projector in Qwen2-VL's layout ({@code qwen2vl_merger}), as small as libmtmd runs it: 4-pixel patches
 * (two kernels, for a video's two frames), one block with M-RoPE over the patch grid, and the merger that joins 2×2
 * patches into one embedding of {@code projection} values. An image keeps its aspect (sides rounded to 8 pixels), so
 * a W×H image takes (W/8)·(H/8) embeddings but only max(W/8, H/8) positions of its model's sequence: text after it
 * continues from there (M-RoPE), which {@link TinyLlama#writeQwen2Vl} models read.
 */
public record TinyQwenVlProjector(int embedding, int feedForward, int projection) {

    /** For {@link TinyLlama#CHAT} written as Qwen2-VL. */
    public static final TinyQwenVlProjector CHAT = new TinyQwenVlProjector(16, 24, 32);
    private static final int PATCH = 4;

    public void write(Path file, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        GgufWriter w = new GgufWriter()
                .string("general.architecture", "clip")
                .string("general.name", "modeld tiny qwen2-vl projector")
                .u32("general.file_type", 0)
                .bool("clip.has_vision_encoder", true)
                .string("clip.projector_type", "qwen2vl_merger")
                .u32("clip.vision.image_size", 64)
                .u32("clip.vision.patch_size", PATCH)
                .u32("clip.vision.embedding_length", embedding)
                .u32("clip.vision.feed_forward_length", feedForward)
                .u32("clip.vision.block_count", 1)
                .u32("clip.vision.projection_dim", projection)
                .u32("clip.vision.attention.head_count", 2)
                .f32("clip.vision.attention.layer_norm_epsilon", 1e-6f)
                .u32("clip.vision.spatial_merge_size", 2)
                .f32s("clip.vision.image_mean", new float[] {0.5f, 0.5f, 0.5f})
                .f32s("clip.vision.image_std", new float[] {0.5f, 0.5f, 0.5f});
        w.tensor("v.patch_embd.weight", new long[] {PATCH, PATCH, 3, embedding}, TinyVocab.weights(random));
        w.tensor("v.patch_embd.weight.1", new long[] {PATCH, PATCH, 3, embedding}, TinyVocab.weights(random));
        TinyProjector.block(w, "v.blk.0.", embedding, feedForward, random, true);
        w.tensor("mm.0.weight", new long[] {embedding * 4, embedding * 4}, TinyVocab.weights(random));
        w.tensor("mm.0.bias", new long[] {embedding * 4}, i -> 0.0);
        w.tensor("mm.2.weight", new long[] {embedding * 4, projection}, TinyVocab.weights(random));
        w.tensor("mm.2.bias", new long[] {projection}, i -> 0.0);
        w.write(file);
    }
}
