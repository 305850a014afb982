package io.modeld.engine;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * The structs of {@code llama.h} (v0.5.0) field for field, in declaration order; JNA lays them out with
 * the platform's C alignment. C {@code bool} fields are {@code byte}, enums {@code int}. A wrong layout
 * shows at load time: {@link LlamaEngine} reads the library's default parameters through these and
 * checks them against the values the supported release returns.
 */
final class Structs {

    private Structs() {
    }

    /** {@code struct llama_model_params}. */
    @Structure.FieldOrder({"devices", "tensor_buft_overrides", "n_gpu_layers", "split_mode", "load_mode", "lazy_mode",
            "main_gpu", "tensor_split", "progress_callback", "progress_callback_user_data", "kv_overrides",
            "vocab_only", "check_tensors", "use_extra_bufts", "no_host", "no_alloc", "load_mtp"})
    public static class ModelParams extends Structure {
        public Pointer devices;
        public Pointer tensor_buft_overrides;
        public int n_gpu_layers;
        public int split_mode;
        public int load_mode;
        public int lazy_mode;
        public int main_gpu;
        public Pointer tensor_split;
        public Pointer progress_callback;
        public Pointer progress_callback_user_data;
        public Pointer kv_overrides;
        public byte vocab_only;
        public byte check_tensors;
        public byte use_extra_bufts;
        public byte no_host;
        public byte no_alloc;
        public byte load_mtp;

        public static class ByValue extends ModelParams implements Structure.ByValue {
        }
    }

    /** {@code struct llama_context_params}. */
    @Structure.FieldOrder({"n_ctx", "n_batch", "n_ubatch", "n_seq_max", "n_rs_seq", "n_outputs_max",
            "n_outputs_max_per_seq", "n_threads", "n_threads_batch", "ctx_type", "rope_scaling_type", "pooling_type",
            "attention_type", "flash_attn_type", "rope_freq_base", "rope_freq_scale", "yarn_ext_factor",
            "yarn_attn_factor", "yarn_beta_fast", "yarn_beta_slow", "yarn_orig_ctx", "defrag_thold", "cb_eval",
            "cb_eval_user_data", "type_k", "type_v", "abort_callback", "abort_callback_data", "embeddings",
            "offload_kqv", "no_perf", "op_offload", "swa_full", "kv_unified", "samplers", "n_samplers", "ctx_other"})
    public static class ContextParams extends Structure {
        public int n_ctx;
        public int n_batch;
        public int n_ubatch;
        public int n_seq_max;
        public int n_rs_seq;
        public int n_outputs_max;
        public int n_outputs_max_per_seq;
        public int n_threads;
        public int n_threads_batch;
        public int ctx_type;
        public int rope_scaling_type;
        public int pooling_type;
        public int attention_type;
        public int flash_attn_type;
        public float rope_freq_base;
        public float rope_freq_scale;
        public float yarn_ext_factor;
        public float yarn_attn_factor;
        public float yarn_beta_fast;
        public float yarn_beta_slow;
        public int yarn_orig_ctx;
        public float defrag_thold;
        public Pointer cb_eval;
        public Pointer cb_eval_user_data;
        public int type_k;
        public int type_v;
        public Pointer abort_callback;
        public Pointer abort_callback_data;
        public byte embeddings;
        public byte offload_kqv;
        public byte no_perf;
        public byte op_offload;
        public byte swa_full;
        public byte kv_unified;
        public Pointer samplers;
        public long n_samplers;
        public Pointer ctx_other;

        public static class ByValue extends ContextParams implements Structure.ByValue {
        }
    }

    /** {@code struct llama_sampler_chain_params}. */
    @Structure.FieldOrder({"no_perf"})
    public static class SamplerChainParams extends Structure {
        public byte no_perf;

        public static class ByValue extends SamplerChainParams implements Structure.ByValue {
        }
    }

    /** {@code struct llama_model_quantize_params}, passed by pointer. */
    @Structure.FieldOrder({"nthread", "ftype", "output_tensor_type", "token_embedding_type", "allow_requantize",
            "quantize_output_tensor", "only_copy", "pure", "keep_split", "dry_run", "imatrix", "kv_overrides",
            "tt_overrides", "prune_layers", "max_buf_size"})
    public static class QuantizeParams extends Structure {
        public int nthread;
        public int ftype;
        public int output_tensor_type;
        public int token_embedding_type;
        public byte allow_requantize;
        public byte quantize_output_tensor;
        public byte only_copy;
        public byte pure;
        public byte keep_split;
        public byte dry_run;
        public Pointer imatrix;
        public Pointer kv_overrides;
        public Pointer tt_overrides;
        public Pointer prune_layers;
        public long max_buf_size;

        public static class ByValue extends QuantizeParams implements Structure.ByValue {
        }
    }

    /** {@code struct llama_batch}: arrays allocated by {@code llama_batch_init}. */
    @Structure.FieldOrder({"n_tokens", "token", "embd", "pos", "n_seq_id", "seq_id", "logits"})
    public static class Batch extends Structure {
        public int n_tokens;
        public Pointer token;
        public Pointer embd;
        public Pointer pos;
        public Pointer n_seq_id;
        public Pointer seq_id;
        public Pointer logits;

        public static class ByValue extends Batch implements Structure.ByValue {
        }
    }

    /** {@code struct llama_chat_message}: role and content, as C strings. */
    @Structure.FieldOrder({"role", "content"})
    public static class ChatMessage extends Structure {
        public Pointer role;
        public Pointer content;
    }
}
