package io.modeld.engine;

import java.util.List;

/** What a generation was asked and how it ended. */
public final class Generation {

    private Generation() {
    }

    /** Why a generation ended: the model (or a stop string) said so, or the token limit was reached. */
    public enum Finish {
        STOP("stop"), LENGTH("length"),
        /** The model called tools: the answer is its calls. */
        TOOL_CALLS("tool_calls");

        private final String wire;

        Finish(String wire) {
            this.wire = wire;
        }

        /** As OpenAI spells it. */
        public String wire() {
            return wire;
        }

        /** As Ollama spells it: its runner ends a turn of tool calls as any other, {@code stop}. */
        public String ollama() {
            return this == TOOL_CALLS ? STOP.wire : wire;
        }
    }

    /**
     * @param prompt the prompt's tokens (special tokens included)
     * @param maxTokens at most this many tokens are generated
     * @param stop strings that end the generation; they are not part of the output
     * @param ignoreEos keep generating past the model's end of sequence (for benchmarks)
     */
    public record Request(int[] prompt, int maxTokens, Sampling sampling, List<String> stop, boolean ignoreEos) {
    }

    /**
     * @param promptTokens tokens of the prompt
     * @param reusedTokens of those, how many were already in the cache from the previous request
     * @param tokens tokens generated
     */
    public record Result(int promptTokens, int reusedTokens, int tokens, Finish finish, long promptNanos,
                         long generateNanos) {
    }

    /** Receives the text as it is generated, whole characters only. */
    public interface Output {
        void text(String piece);
    }
}
