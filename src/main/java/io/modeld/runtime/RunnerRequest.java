package io.modeld.runtime;

import io.modeld.engine.ChatRequest;
import io.modeld.engine.Sampling;
import java.util.List;

/**
 * A generation as the core asks a runner for it, and as it crosses to the runner (the {@code generate} line):
 * a prompt given as it is, or a conversation ({@code chat}) the model's chat template formats, with its tools
 * and thinking. With a {@code suffix}, the prompt and suffix make a fill-in-the-middle prompt with the model's
 * FIM tokens. With {@code logprobs} >= 0, the answer carries each token's log-probability and that many
 * alternatives. With {@code keep}, the prompt cache keeps its prefix before others (a Pieces conversation, a
 * stored response: a client comes back to them). Its answer is a {@link RunnerResult}.
 */
public record RunnerRequest(String prompt, ChatRequest chat, int maxTokens, Sampling sampling, List<String> stop,
                            boolean ignoreEos, String suffix, int logprobs, boolean keep)
        implements RunnerMessages.Request {

    public RunnerRequest(String prompt, ChatRequest chat, int maxTokens, Sampling sampling, List<String> stop,
                         boolean ignoreEos, String suffix, int logprobs) {
        this(prompt, chat, maxTokens, sampling, stop, ignoreEos, suffix, logprobs, false);
    }

    public RunnerRequest(String prompt, ChatRequest chat, int maxTokens, Sampling sampling, List<String> stop,
                         boolean ignoreEos, String suffix) {
        this(prompt, chat, maxTokens, sampling, stop, ignoreEos, suffix, -1);
    }

    public RunnerRequest(String prompt, ChatRequest chat, int maxTokens, Sampling sampling, List<String> stop,
                         boolean ignoreEos) {
        this(prompt, chat, maxTokens, sampling, stop, ignoreEos, null);
    }
}
