package io.modeld.runtime;

/**
 * The prompt a model's chat template made of a conversation (llama-server's {@code /apply-template}), and
 * its length in tokens as a generation of it would count them when they were asked for (-1 when not).
 */
public record RenderedPrompt(String prompt, int tokens) implements RunnerMessages.Event {
}
