// What JNA cannot call on libmtmd by itself: a projector opened with its parameters (a struct passed by value),
// and a whole request's media decoded and tokenized with its prompt in one call. Everything else (the chunks,
// their evaluation) Java calls on libmtmd's own exports. Every function runs in the chat shim's barrier: no C++
// exception crosses into Java.

#include "../chat/modeld_shim.h"
#include "mtmd.h"
#include "mtmd-helper.h"

#include <stdexcept>
#include <vector>

// The projector at `path` for `model`, encoding on `threads` threads, media marked by `marker` in prompts; null (and *err) when it cannot be opened:
// not a projector, or one whose output does not fit the model's embeddings (mtmd checks both).
MODELD_API mtmd_context * modeld_media_open(const char * path, const llama_model * model, int threads, bool use_gpu,
                                            const char * marker, char ** err) {
    return modeld::guarded<mtmd_context *>(err, nullptr, [&]() -> mtmd_context * {
        mtmd_context_params p = mtmd_context_params_default();
        p.use_gpu = use_gpu;
        p.print_timings = false;
        p.n_threads = threads;
        p.warmup = true;   // as llama-server: one encode at load, which also settles flash attention (auto)
        p.media_marker = marker;
        mtmd_context * ctx = mtmd_init_from_file(path, model, p);
        if (!ctx) {
            throw std::runtime_error("llama.cpp could not open the projector " + std::string(path)
                                     + " for this model (its log says why)");
        }
        return ctx;
    });
}

// 1: reads images; 2: hears audio; 4: positions images in two dimensions (M-RoPE).
MODELD_API int modeld_media_caps(const mtmd_context * ctx) {
    return (mtmd_support_vision(ctx) ? 1 : 0) | (mtmd_support_audio(ctx) ? 2 : 0) | (mtmd_decode_use_mrope(ctx) ? 4 : 0);
}

// `text` (its media marked by the marker given to modeld_media_open, one per item) and the `n` items (`bufs[i]` of `lens[i]`
// bytes: an image stb_image reads, or a WAV, MP3 or FLAC clip) as libmtmd's chunks, tokenized as llama-server
// tokenizes a prompt with media (special tokens added and read). Null (and *err, naming the item) on failure.
MODELD_API mtmd_input_chunks * modeld_media_tokenize(mtmd_context * ctx, const char * text, int n,
                                                     const unsigned char ** bufs, const size_t * lens, char ** err) {
    return modeld::guarded<mtmd_input_chunks *>(err, nullptr, [&]() -> mtmd_input_chunks * {
        std::vector<mtmd_bitmap *> bitmaps;
        auto free_all = [&]() {
            for (mtmd_bitmap * b : bitmaps) {
                mtmd_bitmap_free(b);
            }
        };
        for (int i = 0; i < n; i++) {
            mtmd_helper_bitmap_wrapper w = mtmd_helper_bitmap_init_from_buf(ctx, bufs[i], lens[i], false,
                                                                            mtmd_helper_init_opt_default());
            if (!w.bitmap) {
                free_all();
                throw std::runtime_error("media item " + std::to_string(i + 1) + " could not be decoded");
            }
            bitmaps.push_back(w.bitmap);
        }
        mtmd_input_chunks * chunks = mtmd_input_chunks_init();
        mtmd_input_text in{text, std::strlen(text), true, true};
        int32_t rc = mtmd_tokenize(ctx, chunks, &in, const_cast<const mtmd_bitmap **>(bitmaps.data()), bitmaps.size());
        free_all();
        if (rc != 0) {
            mtmd_input_chunks_free(chunks);
            throw std::runtime_error(rc == 1 ? "the prompt marks " + std::string("a different number of media items than ")
                                                   + std::to_string(n) + " (the marker is " + mtmd_get_marker(ctx) + ")"
                                             : "llama.cpp could not prepare a media item for the model");
        }
        return chunks;
    });
}

MODELD_API void modeld_media_string_free(char * s) {
    std::free(s);
}
