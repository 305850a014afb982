package io.modeld.catalog;

/** What kinds of context a model accepts, as the Pieces ModelCapabilities; null means not stated. */
public record Capabilities(Boolean temporal, Boolean images, Boolean videos, Boolean documents,
                           Boolean codebases, Boolean assets, Boolean websites) {
}
