package io.modeld.engine;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;

/**
 * The functions of llama.cpp's C API ({@code llama.h} of the v0.5.0 release series) that the runner
 * calls, as JNA binds them. C {@code bool} results are read as {@code byte} (only the low byte of the
 * register is defined); {@code size_t} is {@code long} (64-bit platforms only).
 */
interface LlamaLibrary extends Library {

    String llama_version();

    void llama_backend_init();

    String llama_print_system_info();

    void llama_log_set(LogCallback callback, Pointer userData);

    /** {@code ggml_log_callback}: level, text, user data. */
    interface LogCallback extends Callback {
        void invoke(int level, String text, Pointer userData);
    }

    Structs.ModelParams.ByValue llama_model_default_params();

    Structs.ContextParams.ByValue llama_context_default_params();

    Structs.SamplerChainParams.ByValue llama_sampler_chain_default_params();

    Structs.QuantizeParams.ByValue llama_model_quantize_default_params();

    Pointer llama_model_load_from_file(String path, Structs.ModelParams.ByValue params);

    Pointer llama_model_load_from_splits(StringArray paths, long count, Structs.ModelParams.ByValue params);

    void llama_model_free(Pointer model);

    Pointer llama_init_from_model(Pointer model, Structs.ContextParams.ByValue params);

    void llama_free(Pointer ctx);

    int llama_n_ctx(Pointer ctx);

    int llama_n_batch(Pointer ctx);

    int llama_n_ubatch(Pointer ctx);

    int llama_n_seq_max(Pointer ctx);

    Pointer llama_get_memory(Pointer ctx);

    void llama_memory_clear(Pointer memory, byte data);

    byte llama_memory_seq_rm(Pointer memory, int seq, int p0, int p1);

    long llama_state_seq_get_size(Pointer ctx, int seq);

    long llama_state_seq_get_data(Pointer ctx, Pointer dst, long size, int seq);

    long llama_state_seq_set_data(Pointer ctx, Pointer src, long size, int destSeq);

    int llama_pooling_type(Pointer ctx);

    Pointer llama_model_get_vocab(Pointer model);

    int llama_model_n_ctx_train(Pointer model);

    int llama_model_n_embd(Pointer model);

    int llama_model_n_embd_out(Pointer model);

    int llama_model_n_layer(Pointer model);

    int llama_model_n_cls_out(Pointer model);

    long llama_model_n_params(Pointer model);

    long llama_model_size(Pointer model);

    byte llama_model_has_encoder(Pointer model);

    byte llama_model_has_decoder(Pointer model);

    String llama_model_chat_template(Pointer model, String name);

    int llama_model_meta_val_str(Pointer model, String key, byte[] buf, long size);

    int llama_model_desc(Pointer model, byte[] buf, long size);

    int llama_vocab_n_tokens(Pointer vocab);

    byte llama_vocab_is_eog(Pointer vocab, int token);

    int llama_vocab_bos(Pointer vocab);

    int llama_vocab_eos(Pointer vocab);

    int llama_vocab_sep(Pointer vocab);

    int llama_vocab_fim_pre(Pointer vocab);

    int llama_vocab_fim_suf(Pointer vocab);

    int llama_vocab_fim_mid(Pointer vocab);

    byte llama_vocab_get_add_bos(Pointer vocab);

    byte llama_vocab_get_add_eos(Pointer vocab);

    byte llama_vocab_get_add_sep(Pointer vocab);

    int llama_tokenize(Pointer vocab, byte[] text, int textLength, int[] tokens, int maxTokens, byte addSpecial,
                       byte parseSpecial);

    int llama_token_to_piece(Pointer vocab, int token, byte[] buf, int length, int lstrip, byte special);

    int llama_chat_apply_template(String template, Structs.ChatMessage[] chat, long count, byte addAssistant,
                                  byte[] buf, int length);

    Structs.Batch.ByValue llama_batch_init(int tokens, int embd, int seqMax);

    void llama_batch_free(Structs.Batch.ByValue batch);

    int llama_decode(Pointer ctx, Structs.Batch.ByValue batch);

    int llama_encode(Pointer ctx, Structs.Batch.ByValue batch);

    void llama_set_n_threads(Pointer ctx, int threads, int threadsBatch);

    void llama_set_abort_callback(Pointer ctx, Pointer callback, Pointer data);

    Pointer llama_get_logits_ith(Pointer ctx, int i);

    Pointer llama_get_embeddings_ith(Pointer ctx, int i);

    Pointer llama_get_embeddings_seq(Pointer ctx, int seq);

    Pointer llama_sampler_chain_init(Structs.SamplerChainParams.ByValue params);

    void llama_sampler_chain_add(Pointer chain, Pointer sampler);

    Pointer llama_sampler_init_greedy();

    Pointer llama_sampler_init_dist(int seed);

    Pointer llama_sampler_init_top_k(int k);

    Pointer llama_sampler_init_top_p(float p, long minKeep);

    Pointer llama_sampler_init_min_p(float p, long minKeep);

    Pointer llama_sampler_init_typical(float p, long minKeep);

    Pointer llama_sampler_init_temp(float t);

    Pointer llama_sampler_init_penalties(int vocabSize, int lastN, float repeat, float frequency, float presence);

    Pointer llama_sampler_init_grammar(Pointer vocab, String grammar, String root);

    /** {@code biases}: {@code count} pairs of (int32 token, float bias). */
    Pointer llama_sampler_init_logit_bias(int vocabSize, int count, Pointer biases);

    int llama_sampler_sample(Pointer sampler, Pointer ctx, int idx);

    void llama_sampler_accept(Pointer sampler, int token);

    void llama_sampler_free(Pointer sampler);

    /** {@code params}: a {@code llama_model_quantize_params} in native memory. */
    int llama_model_quantize(String input, String output, Pointer params);
}
