package io.modeld.engine;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's projector opened in libmtmd: what turns an image or a clip into embeddings the model reads in place of
 * tokens. {@link #tokenize} makes a prompt with media into a {@link MediaPrompt} as llama-server makes it;
 * {@link #decode} puts one media item of it into a sequence of the model's context. Closing it frees it.
 */
public final class Projector implements AutoCloseable {

    private static final int TYPE_TEXT = 0;

    private final MediaLayer layer;
    private Pointer ctx;
    private final int caps;

    Projector(MediaLayer layer, Pointer ctx) {
        this.layer = layer;
        this.ctx = ctx;
        this.caps = layer.lib.modeld_media_caps(ctx);
    }

    /** Whether it reads images. */
    public boolean vision() {
        return (caps & 1) != 0;
    }

    /** Whether it hears audio. */
    public boolean audio() {
        return (caps & 2) != 0;
    }

    /**
     * The prompt {@code text} (each item of {@code media} where a {@link Media#MARKER} stands, in order) as tokens
     * and media items, the special tokens added and read as llama-server reads them. INPUT when an item cannot be
     * decoded, is of a kind this projector does not take, or the markers are not one per item.
     */
    public MediaPrompt tokenize(String text, List<Media> media) throws EngineException {
        for (int i = 0; i < media.size(); i++) {
            Media.Kind kind = media.get(i).kind();
            if (kind == Media.Kind.IMAGE && !vision() || kind == Media.Kind.AUDIO && !audio()) {
                throw new EngineException(EngineException.Kind.INPUT, "media item " + (i + 1) + " is "
                        + (kind == Media.Kind.IMAGE ? "an image, but this model's projector does not read images"
                        : "audio, but this model's projector does not hear audio"));
            }
        }
        Pointer[] bufs = new Pointer[media.size()];
        long[] lens = new long[media.size()];
        List<Memory> held = new ArrayList<>();
        for (int i = 0; i < bufs.length; i++) {
            byte[] data = media.get(i).data();
            Memory m = new Memory(Math.max(1, data.length));
            m.write(0, data, 0, data.length);
            held.add(m);
            bufs[i] = m;
            lens[i] = data.length;
        }
        PointerByReference err = new PointerByReference();
        Pointer chunks = layer.lib.modeld_media_tokenize(ctx, text, bufs.length, bufs, lens, err);
        held.forEach(Memory::close);
        if (chunks == null) {
            throw new EngineException(EngineException.Kind.INPUT, layer.message(err, "the media could not be read"));
        }
        return read(chunks);
    }

    private MediaPrompt read(Pointer chunks) {
        MediaLibrary lib = layer.lib;
        int[] tokens = new int[64];
        int length = 0;
        List<MediaPrompt.Item> items = new ArrayList<>();
        long n = lib.mtmd_input_chunks_size(chunks);
        for (long i = 0; i < n; i++) {
            Pointer chunk = lib.mtmd_input_chunks_get(chunks, i);
            int[] piece;
            if (lib.mtmd_input_chunk_get_type(chunk) == TYPE_TEXT) {
                LongByReference count = new LongByReference();
                Pointer p = lib.mtmd_input_chunk_get_tokens_text(chunk, count);
                piece = count.getValue() == 0 ? new int[0] : p.getIntArray(0, (int) count.getValue());
            } else {
                int count = (int) lib.mtmd_input_chunk_get_n_tokens(chunk);
                piece = MediaPrompt.placeholders(lib.mtmd_input_chunk_get_id(chunk), count);
                items.add(new MediaPrompt.Item(length, count, lib.mtmd_input_chunk_get_n_pos(chunk), chunk));
            }
            if (tokens.length < length + piece.length) {
                tokens = java.util.Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + piece.length));
            }
            System.arraycopy(piece, 0, tokens, length, piece.length);
            length += piece.length;
        }
        return new MediaPrompt(this, chunks, java.util.Arrays.copyOf(tokens, length), items);
    }

    /**
     * Encodes {@code item} and decodes its embeddings into sequence {@code seq} of {@code context} from position
     * {@code pos}, in batches of the context's size, with the logits of its last when {@code logitsLast}; RUNTIME when
     * llama.cpp fails (or the decode was aborted).
     */
    void decode(LlamaContext context, MediaPrompt.Item item, int pos, int seq, boolean logitsLast) throws EngineException {
        IntByReference next = new IntByReference();
        int rc = layer.lib.mtmd_helper_eval_chunk_single(ctx, context.pointer(), item.chunk(), pos, seq,
                context.batchSize, logitsLast, next);
        if (rc != 0) {
            throw new EngineException(EngineException.Kind.RUNTIME, "llama.cpp could not read a media item of the "
                    + "prompt (" + rc + ")" + context.model.engine.logSummary());
        }
    }

    void free(Pointer chunks) {
        layer.lib.mtmd_input_chunks_free(chunks);
    }

    @Override
    public void close() {
        if (ctx != null) {
            layer.lib.mtmd_free(ctx);
            ctx = null;
        }
    }
}
