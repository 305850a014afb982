package io.modeld.runtime;

import io.modeld.engine.ChatTemplates;
import io.modeld.engine.EngineException;
import io.modeld.engine.Generator;
import io.modeld.engine.LlamaEngine;
import io.modeld.engine.LlamaModel;
import io.modeld.engine.Pooler;
import io.modeld.engine.Projector;
import io.modeld.engine.PromptCache;
import io.modeld.gguf.ModelRole;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The model a runner holds, in the role it was loaded for: a generator (its slots, and its chat templates in
 * llama.cpp's chat layer when the library has one), or a pooler for embeddings or reranking. Closing it frees
 * all of it.
 */
final class RunnerModel implements AutoCloseable {

    final LlamaModel model;
    final ModelRole role;
    /** Non-null for a generator. */
    final Generator generator;
    /** The generator's templates in llama.cpp's chat layer; null without the layer, or for a pooler. */
    final ChatTemplates templates;
    /** Non-null for an embedder or a reranker. */
    private final Pooler pooler;
    /** The generator's projector (images, audio); null for none. */
    Projector projector;
    /** Why the draft model asked for is not used; null when it is, or none was asked for. */
    private String draftProblem;
    /** Why the projector asked for is not used; null when it is, or none was asked for. */
    private String mediaProblem;

    private RunnerModel(LlamaModel model, ModelRole role, Generator generator, ChatTemplates templates, Pooler pooler) {
        this.model = model;
        this.role = role;
        this.generator = generator;
        this.templates = templates;
        this.pooler = pooler;
    }

    /**
     * Loads the model for {@code r}'s role; reading its chat template (llama.cpp renders it to learn what it
     * can do) is a step of {@code lane}, within {@code stepNanos}.
     */
    static RunnerModel load(LlamaEngine engine, RunnerMessages.Load r, StepWatch.Lane lane, long stepNanos)
            throws EngineException {
        io.modeld.engine.Placement where = r.placement() == null ? io.modeld.engine.Placement.CPU : r.placement();
        if (!where.onDevice()) {
            return load(engine, r, lane, stepNanos, where);
        }
        try {
            return load(engine, r, lane, stepNanos, where);
        } catch (EngineException | RuntimeException e) {
            // A GPU that fails (out of device memory, a driver's error) costs the model its GPU, not its load
            System.err.println("modeld: " + r.files().get(0) + " on " + where.device() + " failed (" + e.getMessage()
                    + "); loading it on the CPU");
            RunnerModel made = load(engine, r, lane, stepNanos, io.modeld.engine.Placement.CPU);
            made.gpuProblem = where.device() + ": " + e.getMessage();
            return made;
        }
    }

    /** Why the model is not on the GPU its load asked for; null when it is there, or none was asked for. */
    private String gpuProblem;

    private static RunnerModel load(LlamaEngine engine, RunnerMessages.Load r, StepWatch.Lane lane, long stepNanos,
                                    io.modeld.engine.Placement where) throws EngineException {
        LlamaModel m = engine.loadModel(r.files().stream().map(Path::of).toList(), where);
        Generator generator = null;
        ChatTemplates templates = null;
        Pooler pooler = null;
        String problem = null;
        try {
            ModelRole role = ModelRole.valueOf(r.role());
            int threads = Math.max(1, r.threads());
            int context = Math.min(r.context(), Math.max(16, m.contextTrained()));
            switch (role) {
                case GENERATOR -> {
                    generator = Generator.create(m, context, Math.max(1, r.parallel()), threads, r.kvType() == null
                            ? io.modeld.engine.KvCache.DEFAULT : new io.modeld.engine.KvCache(
                            io.modeld.engine.KvCache.Type.of(r.kvType()),
                            io.modeld.engine.KvCache.FlashAttention.of(r.flashAttention())), cache(r, engine));
                    generator.speculate(r.draft());
                    problem = draft(engine, generator, r, threads);
                    if (engine.chat() != null) {
                        lane.begin("reading the chat template", stepNanos);
                        try {
                            templates = engine.chat().templates(m);
                        } finally {
                            lane.end();
                        }
                    }
                }
                case EMBEDDER -> pooler = Pooler.embeddings(m, context, threads, r.meanPooling());
                case RERANKER -> pooler = Pooler.reranker(m, context, threads);
            }
            RunnerModel made = new RunnerModel(m, role, generator, templates, pooler);
            made.draftProblem = problem;
            if (role == ModelRole.GENERATOR && r.projector() != null) {
                made.openProjector(engine, Path.of(r.projector()), threads);
            }
            return made;
        } catch (EngineException | RuntimeException e) {
            for (AutoCloseable c : new AutoCloseable[] {templates, generator, pooler}) {
                if (c != null) {
                    closeQuietly(c);
                }
            }
            m.close();
            throw e;
        }
    }

    /**
     * Loads the draft model asked for ({@code r.draftFiles()}) and gives it to the generator; why it could not (a
     * file llama.cpp refuses, another vocabulary), or null. The model then drafts by n-gram lookup alone.
     */
    private static String draft(LlamaEngine engine, Generator generator, RunnerMessages.Load r, int threads) {
        if (r.draftFiles() == null || r.draftFiles().isEmpty()) {
            return null;
        }
        try {
            generator.draftWith(engine.loadModel(r.draftFiles().stream().map(Path::of).toList()), threads);
            return null;
        } catch (EngineException e) {
            return e.getMessage();
        }
    }

    /**
     * Opens the model's projector; when it cannot be (a llama.cpp without libmtmd, a file llama.cpp refuses), the
     * model reads text only and {@link #loaded} says why.
     */
    private void openProjector(LlamaEngine engine, Path file, int threads) {
        if (engine.media() == null) {
            mediaProblem = "the llama.cpp in use has no libmtmd (a --llama-lib of your own); use the bundled one to "
                    + "read images and audio";
            return;
        }
        try {
            projector = engine.media().open(model, file, threads);
        } catch (EngineException e) {
            mediaProblem = e.getMessage();
        }
    }

    /** The prompt cache the daemon asked for, its key naming this llama.cpp as well: a state is valid in its release. */
    private static PromptCache.Settings cache(RunnerMessages.Load r, LlamaEngine engine) {
        PromptCache.Settings c = r.cache();
        return c == null || c.key() == null ? PromptCache.Settings.NONE
                : new PromptCache.Settings(c.ramBytes(), c.diskBytes(), c.dir(), c.key() + "|llama=" + engine.version());
    }

    /** What the load made, as the daemon is told. */
    RunnerMessages.Loaded loaded() {
        int ctx = generator != null ? generator.contextSize() : pooler.maxTokens();
        return new RunnerMessages.Loaded(ctx, model.embeddingOutputSize(), model.contextTrained(), draftProblem,
                mediaProblem, model.placement(), gpuProblem);
    }

    /** Pooled vectors and the tokens they were made from. */
    record Pooled(List<float[]> vectors, int tokens) {
    }

    Pooled embed(List<String> inputs, List<int[]> tokenInputs, boolean truncate) throws EngineException {
        if (pooler == null || role == ModelRole.RERANKER) {
            throw new EngineException(EngineException.Kind.INPUT, "the model was loaded as " + role + ", not to embed");
        }
        int count = tokenInputs != null ? tokenInputs.size() : inputs.size();
        List<int[]> sequences = new ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < count; i++) {
            int[] raw = tokenInputs != null ? checked(tokenInputs.get(i), model.vocabularySize(), i)
                    : model.tokenize(inputs.get(i), true, false);
            int[] t = fit(raw, truncate, i);
            sequences.add(t);
            tokens += t.length;
        }
        return new Pooled(sequences.isEmpty() ? List.of() : pooler.run(sequences), tokens);
    }

    Pooled rerank(String query, List<String> documents, boolean truncate) throws EngineException {
        if (pooler == null || role != ModelRole.RERANKER) {
            throw new EngineException(EngineException.Kind.INPUT, "the model was loaded as " + role + ", not to rerank");
        }
        List<int[]> sequences = new ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < documents.size(); i++) {
            int[] t = fit(pooler.pair(query, documents.get(i)), truncate, i);
            sequences.add(t);
            tokens += t.length;
        }
        return new Pooled(pooler.run(sequences), tokens);
    }

    /** Token ids from a client: each must be in the vocabulary. */
    private static int[] checked(int[] tokens, int vocabulary, int index) throws EngineException {
        for (int t : tokens) {
            if (t < 0 || t >= vocabulary) {
                throw new EngineException(EngineException.Kind.INPUT, "input " + index + ": token " + t
                        + " is not in the model's vocabulary of " + vocabulary);
            }
        }
        return tokens;
    }

    /** An input cut to the context, or refused when it may not be cut. */
    private int[] fit(int[] tokens, boolean truncate, int index) throws EngineException {
        int max = pooler.maxTokens();
        if (tokens.length <= max) {
            return tokens.length == 0 ? new int[] {0} : tokens;
        }
        if (!truncate) {
            throw new EngineException(EngineException.Kind.INPUT, "the input length exceeds the context length: input "
                    + index + " is " + tokens.length + " tokens, the model's context " + max + " (truncate is off)");
        }
        return Arrays.copyOf(tokens, max);
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {templates, generator, pooler, projector}) {
            if (c != null) {
                closeQuietly(c);
            }
        }
        model.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // freeing native memory does not fail in a way the caller can act on
        }
    }
}
