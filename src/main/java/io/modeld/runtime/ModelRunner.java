package io.modeld.runtime;

import io.modeld.gguf.ModelRole;
import java.nio.file.Path;
import java.util.List;

/**
 * What the scheduler asks of a runner: hold one model at a time, generate or pool with it, free it. The
 * daemon's runners are processes ({@link ProcessRunner}); the scheduler's tests give it fakes through a
 * {@link RunnerFactory}, as Ollama's scheduler tests swap {@code newServerFn}, so budget, eviction,
 * leases, keep-alive and the queue are tested in milliseconds without llama.cpp.
 */
public interface ModelRunner extends AutoCloseable {

    /**
     * What a load made: the context the model got, its embedding size and trained context; where its layers went
     * ({@code placement}), and {@code gpuProblem} why not on the GPU asked for (null: they went there).
     */
    record Loaded(int context, int embeddingSize, int trainedContext, String draftProblem, String mediaProblem,
                  io.modeld.engine.Placement placement, String gpuProblem) {

        public Loaded(int context, int embeddingSize, int trainedContext) {
            this(context, embeddingSize, trainedContext, null, null, io.modeld.engine.Placement.CPU, null);
        }
    }

    /** Pooled vectors (embeddings, or a reranker's scores) and the tokens they were made from. */
    record Pooled(List<float[]> vectors, int tokens) {
    }

    /**
     * A load: the model's files (one, or the parts of a split model), its role, and for a generator
     * {@code parallel} slots of {@code context} tokens each; {@code memoryBytes} is what the runner may take
     * more for it (0: no limit); {@code cache} the prompt cache behind a generator's slots; {@code draft} whether
     * it drafts tokens (by n-gram lookup, and with the draft model in {@code draftFiles} when not empty);
     * {@code projector} the model's projector (images, audio), null for none; {@code placement} its layers on a
     * GPU ({@link io.modeld.engine.Placement#CPU}: none).
     */
    record Load(List<Path> files, int context, int threads, ModelRole role, boolean meanPooling, int parallel,
                long memoryBytes, io.modeld.engine.KvCache kv, io.modeld.engine.PromptCache.Settings cache,
                boolean draft, List<Path> draftFiles, Path projector, io.modeld.engine.Placement placement) {

        Load(List<Path> files, int context, int threads, ModelRole role, boolean meanPooling, int parallel,
             long memoryBytes, io.modeld.engine.KvCache kv) {
            this(files, context, threads, role, meanPooling, parallel, memoryBytes, kv,
                    io.modeld.engine.PromptCache.Settings.NONE, false, List.of(), null, io.modeld.engine.Placement.CPU);
        }

        /** The same load with its layers placed elsewhere. */
        Load at(io.modeld.engine.Placement where) {
            return new Load(files, context, threads, role, meanPooling, parallel, memoryBytes, kv, cache, draft,
                    draftFiles, projector, where);
        }
    }

    /**
     * llama-server's slot API on the loaded generator: {@code list}, or {@code save}/{@code restore}/{@code erase}
     * of slot {@code slot} with {@code file}; the slots after it, and the tokens and bytes it moved.
     */
    default Slots slots(String action, int slot, Path file) throws RunnerFailure {
        throw new RunnerFailure(RunnerFailure.Kind.INPUT, "this runner has no slots");
    }

    /** Slots as {@link #slots} answers. */
    record Slots(List<io.modeld.engine.SlotFiles.SlotState> slots, long tokens, long bytes) {
    }

    /** Loads a model; the runner must hold none. */
    Loaded load(Load load) throws RunnerFailure;

    /** Frees the model; the runner stays, ready for the next one. */
    void unload() throws RunnerFailure;

    /**
     * Generates, giving {@code out} the answer, the reasoning and the tool calls as they come; called by as
     * many threads at once as the model has slots. When {@code out} throws (the client went away), the
     * generation stops at once and the exception goes on.
     */
    RunnerResult generate(RunnerRequest request, GenerationOutput out) throws RunnerFailure;

    /** Tokens of {@code content} in the loaded model's vocabulary, or, given {@code tokens}, their text. */
    TokenText tokenize(String content, boolean addSpecial, boolean parseSpecial, int[] tokens) throws RunnerFailure;

    /** The prompt the loaded model's chat template makes of {@code chat}, and with {@code count} its tokens. */
    RenderedPrompt render(io.modeld.engine.ChatRequest chat, boolean count) throws RunnerFailure;

    /**
     * What a chat template can do, by llama.cpp's chat layer; needs no model. With {@code memoryBytes} above 0
     * the runner first limits itself to that much more memory (and a few steps of processor time): it reads
     * an unchecked template, and is ended after.
     */
    java.util.Map<String, Object> caps(String template, String bos, String eos, long memoryBytes) throws RunnerFailure;

    /**
     * Embeds the inputs (text, or token ids when {@code tokens} is not null), or, with a {@code query},
     * scores the documents in {@code inputs} against it on a reranker.
     */
    Pooled pool(String query, List<String> inputs, List<int[]> tokens, boolean truncate) throws RunnerFailure;

    /** The GPUs its llama.cpp found and may place layers on (empty: the CPU alone). */
    default List<io.modeld.engine.Device> devices() {
        return List.of();
    }

    /** Which GPU backend its llama.cpp uses and on what, or why none: one line for the log; null when unknown. */
    default String gpuNote() {
        return null;
    }

    /** The process id, for {@code /memory}; -1 when there is no process. */
    long pid();

    boolean alive();

    /** What the runner really uses now (its resident set size); 0 when unknown. */
    long residentBytes();

    /** Runs {@code action} once the runner has ended, whatever the reason. */
    void onExit(Runnable action);

    /** Ends the runner. */
    @Override
    void close();
}
