package io.modeld.api.schema;

/** ModelCapabilities. */
public record Capabilities(Schema schema, Boolean temporal, Boolean images, Boolean videos, Boolean documents,
                           Boolean codebases, Boolean assets, Boolean websites) {
}
