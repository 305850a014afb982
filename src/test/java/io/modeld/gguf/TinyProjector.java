package io.modeld.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A vision projector (an {@code mmproj} GGUF) as small as llama.cpp's libmtmd still runs: Gemma 3's layout (a
 * SigLIP encoder of {@code blocks} blocks, average pooling, a soft-embedding norm and a projection), with random
 * weights.
 * An image becomes {@code (imageSize / patchSize / merge)²} embeddings of {@code projection} values each, which
 * must be its text model's embedding length (the pairing check).
 */
public record TinyProjector(int imageSize, int patchSize, int merge, int embedding, int feedForward, int projection,
                            int blocks, int heads) {

    /** 32-pixel images in 8-pixel patches, pooled 2×2: 4 embeddings per image, for {@link TinyLlama#CHAT}. */
    public static final TinyProjector CHAT = new TinyProjector(32, 8, 2, 16, 24, 32);

    /** One block of two heads. */
    public TinyProjector(int imageSize, int patchSize, int merge, int embedding, int feedForward, int projection) {
        this(imageSize, patchSize, merge, embedding, feedForward, projection, 1, 2);
    }

    /** Embeddings one image takes in the prompt. */
    public int tokensPerImage() {
        int side = imageSize / patchSize / merge;
        return side * side;
    }

    /** Writes the projector; the same seed gives the same bytes. */
    public void write(Path file, long seed) throws IOException {
        int patches = (imageSize / patchSize) * (imageSize / patchSize);
        SplittableRandom random = new SplittableRandom(seed);
        GgufWriter w = new GgufWriter()
                .string("general.architecture", "clip")
                .string("general.name", "modeld tiny projector " + imageSize + "/" + patchSize)
                .u32("general.file_type", 0)
                .bool("clip.has_vision_encoder", true)
                .string("clip.projector_type", "gemma3")
                .bool("clip.use_gelu", true)
                .u32("clip.vision.image_size", imageSize)
                .u32("clip.vision.patch_size", patchSize)
                .u32("clip.vision.embedding_length", embedding)
                .u32("clip.vision.feed_forward_length", feedForward)
                .u32("clip.vision.block_count", blocks)
                .u32("clip.vision.projection_dim", projection)
                .u32("clip.vision.attention.head_count", heads)
                .f32("clip.vision.attention.layer_norm_epsilon", 1e-6f)
                .u32("clip.vision.projector.scale_factor", merge)
                .f32s("clip.vision.image_mean", new float[] {0.5f, 0.5f, 0.5f})
                .f32s("clip.vision.image_std", new float[] {0.5f, 0.5f, 0.5f});
        w.tensor("v.patch_embd.weight", new long[] {patchSize, patchSize, 3, embedding}, TinyVocab.weights(random));
        w.tensor("v.patch_embd.bias", new long[] {embedding}, i -> 0.0);
        w.tensor("v.position_embd.weight", new long[] {embedding, patches}, TinyVocab.weights(random));
        for (int l = 0; l < blocks; l++) {
            block(w, "v.blk." + l + ".", embedding, feedForward, random, true);
        }
        w.tensor("v.post_ln.weight", new long[] {embedding}, i -> 1.0);
        w.tensor("v.post_ln.bias", new long[] {embedding}, i -> 0.0);
        w.tensor("mm.soft_emb_norm.weight", new long[] {embedding}, i -> 1.0);
        w.tensor("mm.input_projection.weight", new long[] {projection, embedding}, TinyVocab.weights(random));
        w.write(file);
    }

    /**
     * One transformer block of an encoder, as libmtmd names its tensors ({@code prefix} such as {@code v.blk.0.}):
     * attention with biases (the key's only when {@code keyBias}: Whisper's has none), two layer norms, and the
     * feed-forward up and down.
     */
    static void block(GgufWriter w, String prefix, int embedding, int feedForward, SplittableRandom random,
                      boolean keyBias) {
        for (String n : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
            w.tensor(prefix + n + ".weight", new long[] {embedding, embedding}, TinyVocab.weights(random));
            if (keyBias || !n.equals("attn_k")) {
                w.tensor(prefix + n + ".bias", new long[] {embedding}, i -> 0.0);
            }
        }
        for (String n : new String[] {"ln1", "ln2"}) {
            w.tensor(prefix + n + ".weight", new long[] {embedding}, i -> 1.0);
            w.tensor(prefix + n + ".bias", new long[] {embedding}, i -> 0.0);
        }
        w.tensor(prefix + "ffn_up.weight", new long[] {embedding, feedForward}, TinyVocab.weights(random));
        w.tensor(prefix + "ffn_up.bias", new long[] {feedForward}, i -> 0.0);
        w.tensor(prefix + "ffn_down.weight", new long[] {feedForward, embedding}, TinyVocab.weights(random));
        w.tensor(prefix + "ffn_down.bias", new long[] {embedding}, i -> 0.0);
    }
}
