package io.modeld.api.schema;

/** ReferencedModel: a model named by id. */
public record ReferencedModel(Schema schema, String id) {
}
