package io.modeld.runtime;

import io.modeld.engine.ChatTurn;
import io.modeld.engine.Sampling;
import java.util.List;

/**
 * A generation as the front doors ask for it: a prompt, or chat messages to format with the model's
 * template (or {@code template}, a llama.cpp built-in template name or Jinja source).
 */
public record GenerateRequest(String prompt, List<ChatTurn> messages, String template, int maxTokens,
                              Sampling sampling, List<String> stop, boolean ignoreEos) {
}
