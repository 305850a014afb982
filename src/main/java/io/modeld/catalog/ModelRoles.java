package io.modeld.catalog;

import io.modeld.gguf.ModelRole;

/**
 * A model's role as its spec tells it, by its Pieces usage: TEXT_EMBEDDING is an embedder,
 * CODE_SEARCH a reranker, anything else a generator. A downloaded file's own role (read from its GGUF)
 * sets the usage of embedders and rerankers, so the two agree.
 */
public final class ModelRoles {

    static final String EMBEDDING_USAGE = "TEXT_EMBEDDING";
    static final String RERANK_USAGE = "CODE_SEARCH";

    private ModelRoles() {
    }

    public static ModelRole of(ModelSpec spec) {
        return switch (spec.usage() == null ? "" : spec.usage()) {
            case EMBEDDING_USAGE -> ModelRole.EMBEDDER;
            case RERANK_USAGE -> ModelRole.RERANKER;
            default -> ModelRole.GENERATOR;
        };
    }

    /** The usage that says {@code role}, keeping {@code usage} for generators. */
    static String usageFor(ModelRole role, String usage) {
        return switch (role) {
            case EMBEDDER -> EMBEDDING_USAGE;
            case RERANKER -> RERANK_USAGE;
            case GENERATOR -> usage;
        };
    }
}
