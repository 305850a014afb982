package io.modeld.api.schema;

/** ModelMaxTokens. */
public record MaxTokens(Schema schema, Long total, Long input, Long output) {
}
