package io.modeld.api.schema;

import java.util.List;

/** StreamedIdentifiers: models that changed; {@code deleted} is true for a model that is gone. */
public record StreamedIdentifiers(Schema schema, List<Identifier> iterable) {

    /** StreamedIdentifier, carrying only its {@code model} member. */
    public record Identifier(ReferencedModel model, Boolean deleted) {
    }
}
