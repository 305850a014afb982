package io.modeld.runtime;

import io.modeld.engine.Generation;

/**
 * How a generation went: tokens of the prompt, of them the ones found in the slot's cache (not evaluated
 * again), and generated (counted by the tokenizer, not by pieces of text), why it ended, and the time spent
 * loading, reading the prompt and generating.
 */
public record GenerateResult(int promptTokens, int cachedTokens, int tokens, Generation.Finish finish, long loadNanos,
                             long promptNanos, long generateNanos) {

    /** The prompt tokens evaluated for this request: Ollama's {@code prompt_eval_count}. */
    public int evaluatedTokens() {
        return promptTokens - cachedTokens;
    }
}
