package io.modeld.engine;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A llama.cpp context on a model: its KV cache and compute buffers, sized for {@code contextSize}
 * tokens, with one reusable batch. Used by one thread at a time. Closing it frees both.
 */
final class LlamaContext implements AutoCloseable {

    /** llama.cpp's pooling types, as {@code enum llama_pooling_type}. */
    enum Pooling {
        MODEL(-1), NONE(0), MEAN(1), CLS(2), LAST(3), RANK(4);

        final int value;

        Pooling(int value) {
            this.value = value;
        }
    }

    /**
     * @param sequences how many sequences one batch may hold (embedding many inputs at once)
     * @param embeddings whether the context outputs embeddings (pooled by {@code pooling}) instead of logits
     */
    record Settings(int contextSize, int batchSize, int sequences, int threads, boolean embeddings, Pooling pooling,
                    KvCache kv) {
    }

    final LlamaModel model;
    private final LlamaLibrary llama;
    private Pointer ctx;
    private final Structs.Batch.ByValue batch;
    private final Pointer[] seqIds;
    final int contextSize;
    final int batchSize;
    final int sequences;
    /** {the decode running, the decode to abort}, read by the shim's abort check; null when not abortable. */
    private Memory abortSteps;
    private long step;

    private LlamaContext(LlamaModel model, Pointer ctx, Structs.Batch.ByValue batch, int batchSize, int sequences) {
        this.model = model;
        this.llama = model.llama;
        this.ctx = ctx;
        this.batch = batch;
        this.contextSize = llama.llama_n_ctx(ctx);
        this.batchSize = batchSize;
        this.sequences = sequences;
        this.seqIds = batch.seq_id.getPointerArray(0, batchSize);
    }

    static LlamaContext create(LlamaModel model, Settings s) throws EngineException {
        LlamaLibrary llama = model.llama;
        Structs.ContextParams.ByValue p = llama.llama_context_default_params();
        p.n_ctx = s.contextSize();
        p.n_batch = s.batchSize();
        p.n_ubatch = s.embeddings() ? s.batchSize() : Math.min(512, s.batchSize());
        p.n_seq_max = s.sequences();
        p.n_threads = s.threads();
        p.n_threads_batch = s.threads();
        p.embeddings = LlamaModel.flag(s.embeddings());
        p.pooling_type = s.pooling().value;
        // A generator's slots each get a stream of their own, as llama-server's do: in one unified cache every
        // token attends over every slot's cells (masked), so a slot's cached prefix slowed the others. On a
        // 384-dim model with four slots, one client went from 0.75x llama-server's speed to 0.94x and a 3,000-token
        // prompt from 0.81x to 0.99x. Embedders batch many short inputs, which split streams would cut into
        // more steps of equal lengths: they keep one cache.
        p.kv_unified = LlamaModel.flag(s.embeddings() && s.sequences() > 1);
        p.type_k = s.kv().type().ggml;
        p.type_v = s.kv().type().ggml;
        p.flash_attn_type = s.kv().flash().llama;
        model.engine.clearLog();
        Pointer ctx = llama.llama_init_from_model(model.pointer(), p);
        if (LlamaEngine.orNull(ctx) == null) {
            throw new EngineException(EngineException.Kind.MODEL, "llama.cpp could not make a context of "
                    + s.contextSize() + " tokens for the model" + model.engine.logSummary());
        }
        Structs.Batch.ByValue batch = llama.llama_batch_init(s.batchSize(), 0, s.sequences());
        return new LlamaContext(model, ctx, batch, s.batchSize(), s.sequences());
    }

    /** The logits of output {@code index} of the batch just decoded, one per token of the vocabulary. */
    float[] logits(int index) {
        return llama.llama_get_logits_ith(ctx, index).getFloatArray(0, model.vocabularySize());
    }

    Pointer pointer() {
        return ctx;
    }

    /** Forgets everything in the KV cache. */
    void clear() {
        Pointer memory = LlamaEngine.orNull(llama.llama_get_memory(ctx));
        if (memory != null) {
            llama.llama_memory_clear(memory, (byte) 1);
        }
    }

    /** Forgets the positions from {@code from} on, of sequence {@code seq}; false when the cache cannot do that. */
    boolean forgetFrom(int seq, int from) {
        Pointer memory = LlamaEngine.orNull(llama.llama_get_memory(ctx));
        return memory != null && LlamaEngine.isTrue(llama.llama_memory_seq_rm(memory, seq, from, -1));
    }

    /**
     * Sequence {@code seq}'s part of the KV cache (its cells, positions and values), copied out to native memory
     * the caller then owns; null when llama.cpp could not copy it.
     */
    com.sun.jna.Memory saveSequence(int seq) {
        long size = llama.llama_state_seq_get_size(ctx, seq);
        if (size <= 0) {
            return null;
        }
        com.sun.jna.Memory state = new com.sun.jna.Memory(size);
        if (llama.llama_state_seq_get_data(ctx, state, size, seq) != size) {
            state.close();
            return null;
        }
        return state;
    }

    /**
     * Replaces sequence {@code seq}'s part of the cache with {@code state} ({@code size} bytes, as
     * {@link #saveSequence} copied it out, from this model with the same cache settings); false when llama.cpp
     * refused it, and then the sequence is empty.
     */
    boolean restoreSequence(int seq, Pointer state, long size) {
        forgetFrom(seq, 0);
        if (llama.llama_state_seq_set_data(ctx, state, size, seq) > 0) {
            return true;
        }
        forgetFrom(seq, 0);
        return false;
    }

    /**
     * Decodes {@code count} tokens of {@code tokens} from {@code offset} as sequence {@code seq} at
     * positions {@code firstPos}..., asking for output at the last one only when {@code lastOnly}.
     * Several calls to {@link #add} fill one batch; {@link #decode} runs it.
     */
    void add(int[] tokens, int offset, int count, int firstPos, int seq, boolean lastOnly) {
        int n = batch.n_tokens;
        if (n + count > batchSize) {
            throw new IllegalArgumentException("batch overflow: " + (n + count) + " > " + batchSize);
        }
        batch.token.write(4L * n, tokens, offset, count);
        for (int i = 0; i < count; i++) {
            int at = n + i;
            batch.pos.setInt(4L * at, firstPos + i);
            batch.n_seq_id.setInt(4L * at, 1);
            seqIds[at].setInt(0, seq);
            batch.logits.setByte(at, (byte) (!lastOnly || i == count - 1 ? 1 : 0));
        }
        batch.n_tokens = n + count;
    }

    /** Adds a chunk of a prompt to the batch, with an output at its last token only when {@code outputLast}. */
    void addPrompt(int[] tokens, int offset, int count, int firstPos, int seq, boolean outputLast) {
        int n = batch.n_tokens;
        add(tokens, offset, count, firstPos, seq, true);
        if (!outputLast) {
            batch.logits.setByte(n + count - 1, (byte) 0);
        }
    }

    /** Tokens in the batch so far. */
    int pending() {
        return batch.n_tokens;
    }

    /** Lets {@link #abort} stop a decode midway, with the chat layer's abort check ({@code check}). */
    void abortable(Pointer check) {
        abortSteps = new Memory(16);
        abortSteps.setLong(0, 0);
        abortSteps.setLong(8, -1);
        llama.llama_set_abort_callback(ctx, check, abortSteps);
    }

    /** The number the next decode runs as. */
    long nextStep() {
        return ++step;
    }

    /** Aborts decode {@code step} if it runs now (from any thread); false when this context cannot abort. */
    boolean abort(long step) {
        if (abortSteps == null) {
            return false;
        }
        abortSteps.setLong(8, step);
        return true;
    }

    /** Marks {@code step} as running, for a decode that another library makes on this context (libmtmd's). */
    void running(long step) {
        if (abortSteps != null) {
            abortSteps.setLong(0, step);
        }
    }

    /** Runs the batch filled by {@link #add}, then empties it. */
    void decode() throws EngineException {
        decode(nextStep());
    }

    /**
     * Runs the batch filled by {@link #add} as decode {@code step}, then empties it; false when {@link #abort}
     * stopped it (part of the batch may be in the cache).
     */
    boolean decode(long step) throws EngineException {
        if (abortSteps != null) {
            abortSteps.setLong(0, step);
        }
        int rc = model.engine.llama.llama_decode(ctx, batch);
        batch.n_tokens = 0;
        if (rc == 2 && abortSteps != null) {
            return false;
        }
        if (rc != 0) {
            throw new EngineException(EngineException.Kind.RUNTIME, "llama_decode failed (" + rc + ")"
                    + (rc == 1 ? ": no room left in the context" : "") + model.engine.logSummary());
        }
        return true;
    }

    /** The pooled embedding of sequence {@code seq} after a decode, or null when the context pools none. */
    float[] sequenceEmbedding(int seq, int size) {
        Pointer p = LlamaEngine.orNull(llama.llama_get_embeddings_seq(ctx, seq));
        return p == null ? null : p.getFloatArray(0, size);
    }

    @Override
    public void close() {
        if (ctx != null) {
            llama.llama_batch_free(batch);
            llama.llama_free(ctx);
            ctx = null;
        }
    }
}
