package io.modeld.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * An audio projector (an {@code mmproj} GGUF) as small as llama.cpp's libmtmd still runs: Qwen2-Audio's layout (a
 * Whisper encoder of one block over 128 mel bins, average pooling, one linear projection), with random weights.
 * libmtmd cuts a clip into 30-second chunks of 3,000 mel frames, and each becomes {@value #TOKENS_PER_CHUNK}
 * embeddings of {@code projection} values (the model's embedding length).
 */
public record TinyAudioProjector(int embedding, int feedForward, int projection) {

    /** For {@link TinyLlama#CHAT}. */
    public static final TinyAudioProjector CHAT = new TinyAudioProjector(16, 24, 32);
    /** 3,000 frames, halved by the second convolution and again by the pooling. */
    public static final int TOKENS_PER_CHUNK = 750;

    private static final int MELS = 128;
    private static final int POSITIONS = 1500;

    /** Writes the projector; the same seed gives the same bytes. */
    public void write(Path file, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        GgufWriter w = new GgufWriter()
                .string("general.architecture", "clip")
                .string("general.name", "modeld tiny audio projector")
                .u32("general.file_type", 0)
                .bool("clip.has_audio_encoder", true)
                .string("clip.projector_type", "qwen2a")
                .u32("clip.audio.embedding_length", embedding)
                .u32("clip.audio.feed_forward_length", feedForward)
                .u32("clip.audio.block_count", 1)
                .u32("clip.audio.projection_dim", projection)
                .u32("clip.audio.attention.head_count", 2)
                .f32("clip.audio.attention.layer_norm_epsilon", 1e-5f)
                .u32("clip.audio.num_mel_bins", MELS);
        w.tensor("a.conv1d.1.weight", new long[] {3, MELS, embedding}, TinyVocab.weights(random));
        w.tensor("a.conv1d.1.bias", new long[] {1, embedding}, i -> 0.0);
        w.tensor("a.conv1d.2.weight", new long[] {3, embedding, embedding}, TinyVocab.weights(random));
        w.tensor("a.conv1d.2.bias", new long[] {1, embedding}, i -> 0.0);
        w.tensor("a.position_embd.weight", new long[] {embedding, POSITIONS}, TinyVocab.weights(random));
        TinyProjector.block(w, "a.blk.0.", embedding, feedForward, random, false);   // Whisper's keys have no bias
        w.tensor("a.post_ln.weight", new long[] {embedding}, i -> 1.0);
        w.tensor("a.post_ln.bias", new long[] {embedding}, i -> 0.0);
        w.tensor("mm.a.fc.weight", new long[] {embedding, projection}, TinyVocab.weights(random));
        w.tensor("mm.a.fc.bias", new long[] {projection}, i -> 0.0);
        w.write(file);
    }
}
