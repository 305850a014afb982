package io.modeld.runtime;

import io.modeld.engine.Generation;

/**
 * How a generation went, as a runner answers a {@link RunnerRequest} (the {@code done} line) and the core
 * tells the doors: tokens of the prompt, of them the ones found in the slot's cache (not evaluated again),
 * and generated (counted by the tokenizer, not by pieces of text), why it ended, and the time spent loading
 * (the lease's: 0 from the runner), reading the prompt and generating; the stop string that ended it (null when none did); each generated token's log-probability when the request
 * asked (null otherwise); and what the model's prompt cache holds after it, and its drafts so far (null from
 * runners without them).
 */
public record RunnerResult(int promptTokens, int cachedTokens, int tokens, Generation.Finish finish, long loadNanos,
                           long promptNanos, long generateNanos, String stopSequence,
                           java.util.List<io.modeld.engine.TokenLogprob> logprobs,
                           io.modeld.engine.PromptCache.Stats cache,
                           io.modeld.engine.Generator.DraftCounts drafts) implements RunnerMessages.Event {

    public RunnerResult(int promptTokens, int cachedTokens, int tokens, Generation.Finish finish, long loadNanos,
                        long promptNanos, long generateNanos, String stopSequence,
                        java.util.List<io.modeld.engine.TokenLogprob> logprobs) {
        this(promptTokens, cachedTokens, tokens, finish, loadNanos, promptNanos, generateNanos, stopSequence, logprobs,
                null, null);
    }

    /** The same with the time its request waited for the model to load. */
    public RunnerResult withLoad(long nanos) {
        return new RunnerResult(promptTokens, cachedTokens, tokens, finish, nanos, promptNanos, generateNanos, stopSequence,
                logprobs, cache, drafts);
    }

    /** The prompt tokens evaluated for this request: Ollama's {@code prompt_eval_count}. */
    public int evaluatedTokens() {
        return promptTokens - cachedTokens;
    }
}
