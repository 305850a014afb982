package io.modeld.api.schema;

/** Extension of Model: where the model's file comes from and its expected SHA-256. */
public record Source(Schema schema, String url, String sha256) {
}
