package io.modeld.api.schema;

/** ModelDeleteCacheOutput: the model whose files were removed. */
public record ModelDeleteCacheOutput(Schema schema, ReferencedModel model) {
}
