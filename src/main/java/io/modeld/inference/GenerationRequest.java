package io.modeld.inference;

import java.time.Duration;

/**
 * A generation as a front door parsed it: the model as the client named it, the prompt, the options it
 * gave (null fields: not said; merged over the model's and the defaults by {@link Inference}), the
 * keep-alive it asked for (null: the model's), whether to go past the end of sequence (benchmarks), and how many
 * alternatives to give with each token's log-probability (-1: no log-probabilities).
 */
public record GenerationRequest(String model, Prompt prompt, Options options, Duration keepAlive, boolean ignoreEos,
                                int logprobs) {

    public GenerationRequest {
        options = options == null ? Options.NONE : options;
    }

    /** Without log-probabilities. */
    public GenerationRequest(String model, Prompt prompt, Options options, Duration keepAlive, boolean ignoreEos) {
        this(model, prompt, options, keepAlive, ignoreEos, -1);
    }
}
