package io.modeld.catalog;

/** A model was created, changed or deleted; what the identifiers stream announces. */
public record ModelChange(String id, boolean deleted) {
}
