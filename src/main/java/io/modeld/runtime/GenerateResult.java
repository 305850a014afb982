package io.modeld.runtime;

import io.modeld.engine.Generation;

/**
 * How a generation went: tokens of the prompt and generated (counted by the tokenizer, not by pieces
 * of text), why it ended, and the time spent loading, reading the prompt and generating.
 */
public record GenerateResult(int promptTokens, int tokens, Generation.Finish finish, long loadNanos,
                             long promptNanos, long generateNanos) {
}
