package io.modeld.inference;

import java.time.Duration;

/**
 * A generation as a front door parsed it: the model as the client named it, the prompt, the options it
 * gave (null fields: not said; merged over the model's and the defaults by {@link Inference}), the
 * keep-alive it asked for (null: the model's), whether to go past the end of sequence (benchmarks), how many
 * alternatives to give with each token's log-probability (-1: no log-probabilities), and whether the prompt cache
 * keeps its prefix before others ({@code keep}: a conversation the client comes back to).
 */
public record GenerationRequest(String model, Prompt prompt, Options options, Duration keepAlive, boolean ignoreEos,
                                int logprobs, boolean keep) {

    public GenerationRequest {
        options = options == null ? Options.NONE : options;
    }

    public GenerationRequest(String model, Prompt prompt, Options options, Duration keepAlive, boolean ignoreEos,
                             int logprobs) {
        this(model, prompt, options, keepAlive, ignoreEos, logprobs, false);
    }

    /** Without log-probabilities. */
    public GenerationRequest(String model, Prompt prompt, Options options, Duration keepAlive, boolean ignoreEos) {
        this(model, prompt, options, keepAlive, ignoreEos, -1);
    }

    /** The same, its prefix kept by the prompt cache before others: a Pieces conversation, a stored response. */
    public GenerationRequest kept() {
        return new GenerationRequest(model, prompt, options, keepAlive, ignoreEos, logprobs, true);
    }
}
