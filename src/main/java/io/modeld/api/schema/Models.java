package io.modeld.api.schema;

import java.util.List;

/** Models: every model the daemon knows. */
public record Models(Schema schema, List<Model> iterable) {
}
