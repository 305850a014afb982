package io.modeld.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs token sequences through a context that pools each sequence into one vector: embeddings (mean,
 * CLS or last-token pooling) or a reranker's scores (rank pooling through its classifier head). Many
 * sequences share each decode: they are packed into batches of up to the context's size in tokens and
 * its number of sequences, so 256 short inputs cost a few decodes, not 256. Measured (bench/parallel.sh,
 * 256 short inputs, 2 cores): batches of 512 tokens beat 1024 and 2048 (71 against 68 and 60 inputs/s:
 * the attention of a batch spans all its tokens), and 4 to 64 sequences a batch make no difference; what
 * llama-server gains over this comes from its native build (AVX-512 here), which {@code --llama-lib} gives
 * modeld too.
 */
public final class Pooler implements AutoCloseable {

    /** At most this many sequences share a batch (llama.cpp allows 256). */
    static final int MAX_SEQUENCES = 64;

    private final LlamaModel model;
    private final LlamaContext ctx;
    private final int width;

    private Pooler(LlamaModel model, LlamaContext ctx, int width) {
        this.model = model;
        this.ctx = ctx;
        this.width = width;
    }

    /** A pooler for embeddings, with the model's own pooling or, for a model that has none, the mean. */
    public static Pooler embeddings(LlamaModel model, int contextSize, int threads, boolean mean) throws EngineException {
        LlamaContext.Pooling pooling = mean ? LlamaContext.Pooling.MEAN : LlamaContext.Pooling.MODEL;
        return new Pooler(model, LlamaContext.create(model, new LlamaContext.Settings(contextSize, contextSize,
                MAX_SEQUENCES, threads, true, pooling, KvCache.DEFAULT)), model.embeddingOutputSize());
    }

    /** A pooler for a reranker's relevance scores. */
    public static Pooler reranker(LlamaModel model, int contextSize, int threads) throws EngineException {
        return new Pooler(model, LlamaContext.create(model, new LlamaContext.Settings(contextSize, contextSize,
                MAX_SEQUENCES, threads, true, LlamaContext.Pooling.RANK, KvCache.DEFAULT)), Math.max(1, model.llama.llama_model_n_cls_out(model.pointer())));
    }

    /** The most tokens one sequence may have. */
    public int maxTokens() {
        return ctx.batchSize;
    }

    /** The pooled vector of each sequence, in order; every sequence must fit {@link #maxTokens()}. */
    public List<float[]> run(List<int[]> sequences) throws EngineException {
        List<float[]> out = new ArrayList<>(sequences.size());
        int first = 0;
        int seqs = 0;
        for (int i = 0; i < sequences.size(); i++) {
            int[] s = sequences.get(i);
            if (s.length == 0 || s.length > ctx.batchSize) {
                throw new EngineException(EngineException.Kind.INPUT, "input " + i + " has " + s.length
                        + " tokens; it must have 1 to " + ctx.batchSize);
            }
            if (seqs == ctx.sequences || ctx.pending() + s.length > ctx.batchSize) {
                flush(first, seqs, out);
                first = i;
                seqs = 0;
            }
            ctx.add(s, 0, s.length, 0, seqs, false);
            seqs++;
        }
        if (seqs > 0) {
            flush(first, seqs, out);
        }
        return out;
    }

    private void flush(int first, int seqs, List<float[]> out) throws EngineException {
        ctx.decode();
        for (int s = 0; s < seqs; s++) {
            float[] v = ctx.sequenceEmbedding(s, width);
            if (v == null) {
                throw new EngineException(EngineException.Kind.RUNTIME, "llama.cpp gave no pooled output for input "
                        + (first + s));
            }
            out.add(v);
        }
        ctx.clear();
    }

    /**
     * The tokens a reranker reads for one (query, document) pair: the model's rerank template when it
     * has one, else BOS query EOS SEP document EOS, each special token as the model's vocabulary asks.
     */
    public int[] pair(String query, String document) {
        String template = model.template("rerank");
        if (template != null) {
            return model.tokenize(template.replace("{query}", query).replace("{document}", document), false, true);
        }
        int[] q = model.tokenize(query, false, false);
        int[] d = model.tokenize(document, false, false);
        int eos = model.eos() >= 0 ? model.eos() : model.sep();
        List<Integer> t = new ArrayList<>(q.length + d.length + 4);
        if (model.addsBos() && model.bos() >= 0) {
            t.add(model.bos());
        }
        for (int x : q) {
            t.add(x);
        }
        if (model.addsEos() && eos >= 0) {
            t.add(eos);
        }
        if (model.addsSep() && model.sep() >= 0) {
            t.add(model.sep());
        }
        for (int x : d) {
            t.add(x);
        }
        if (model.addsEos() && eos >= 0) {
            t.add(eos);
        }
        return t.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void close() {
        ctx.close();
    }
}
