package io.modeld.engine;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * {@code libmodeld-media} as JNA binds it: llama.cpp's libmtmd and modeld's glue ({@code src/main/native/media}).
 * The glue's functions take {@code err} last and answer null with the message there, freed with
 * {@link #modeld_media_string_free}; the rest are libmtmd's own.
 */
interface MediaLibrary extends Library {

    Pointer modeld_media_open(String path, Pointer model, int threads, boolean useGpu, String marker,
                              PointerByReference err);

    int modeld_media_caps(Pointer ctx);

    Pointer modeld_media_tokenize(Pointer ctx, String text, int n, Pointer[] bufs, long[] lens, PointerByReference err);

    void modeld_media_string_free(Pointer s);

    void mtmd_helper_log_set(LlamaLibrary.LogCallback callback, Pointer userData);

    void mtmd_free(Pointer ctx);

    long mtmd_input_chunks_size(Pointer chunks);

    Pointer mtmd_input_chunks_get(Pointer chunks, long index);

    void mtmd_input_chunks_free(Pointer chunks);

    int mtmd_input_chunk_get_type(Pointer chunk);

    Pointer mtmd_input_chunk_get_tokens_text(Pointer chunk, LongByReference count);

    long mtmd_input_chunk_get_n_tokens(Pointer chunk);

    String mtmd_input_chunk_get_id(Pointer chunk);

    int mtmd_input_chunk_get_n_pos(Pointer chunk);

    int mtmd_helper_eval_chunk_single(Pointer mctx, Pointer lctx, Pointer chunk, int nPast, int seq, int nBatch,
                                      boolean logitsLast, IntByReference newNPast);
}
