package io.modeld.api.schema;

/**
 * Extension of Model: where the model's file comes from, its expected SHA-256, and {@code link} when the
 * file is used where it lies instead of copied into the store.
 */
public record Source(Schema schema, String url, String sha256, Boolean link) {
}
