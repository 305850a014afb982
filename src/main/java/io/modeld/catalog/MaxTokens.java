package io.modeld.catalog;

/** Token limits of a model, as the Pieces ModelMaxTokens: the context size, and optionally its split. */
public record MaxTokens(Long total, Long input, Long output) {
}
