package io.modeld.runtime;

import java.util.List;

/**
 * What the daemon and a runner say to each other: one JSON object per line, requests on the runner's
 * standard input, events on its standard output.
 */
public final class RunnerMessages {

    private RunnerMessages() {
    }

    /** A chat message: role (system, user or assistant) and content. */
    public record Message(String role, String content) {
    }

    /** {@code load} once, then any number of {@code generate}. */
    public record Request(String op, String model, Integer context, Integer threads, String prompt,
                          List<Message> messages, Integer maxTokens, Float temperature, Integer seed, List<String> stop,
                          Boolean ignoreEos) {

        /** Ends the generation in progress early; the runner answers with its usual "done". Never answered by itself. */
        static Request stopGenerating() {
            return new Request("stop", null, null, null, null, null, null, null, null, null, null);
        }

        static Request load(String model, int context, int threads) {
            return new Request("load", model, context, threads, null, null, null, null, null, null, null);
        }

        /**
         * A generation from a prompt, or from chat messages formatted by the model's chat template;
         * {@code ignoreEos} keeps generating past the end-of-sequence token (for benchmarks).
         */
        public static Request generate(String prompt, List<Message> messages, int maxTokens, float temperature,
                                       int seed, List<String> stop, boolean ignoreEos) {
            return new Request("generate", null, null, null, prompt, messages, maxTokens, temperature, seed, stop,
                    ignoreEos);
        }
    }

    /** {@code loaded}, {@code token} (text), {@code done} (tokens), or {@code error} (message). */
    record Event(String event, String text, Integer tokens, String message) {
    }
}
