package io.modeld.runtime;

import io.modeld.engine.ChatTurn;
import io.modeld.engine.Sampling;
import java.util.List;

/**
 * A generation as the front doors ask for it: a prompt, or chat messages to format with the model's
 * template (or {@code template}, a llama.cpp built-in template name or Jinja source). With a
 * {@code suffix}, the prompt and suffix make a fill-in-the-middle prompt with the model's FIM tokens.
 */
public record GenerateRequest(String prompt, List<ChatTurn> messages, String template, int maxTokens,
                              Sampling sampling, List<String> stop, boolean ignoreEos, String suffix) {

    public GenerateRequest(String prompt, List<ChatTurn> messages, String template, int maxTokens, Sampling sampling,
                           List<String> stop, boolean ignoreEos) {
        this(prompt, messages, template, maxTokens, sampling, stop, ignoreEos, null);
    }
}
