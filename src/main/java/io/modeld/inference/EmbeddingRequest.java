package io.modeld.inference;

import java.util.List;

/**
 * Vectors asked for: texts, or token ids ({@code tokens} not null); cut to the context or refused when
 * longer ({@code truncate}); scaled to unit length ({@code normalize}, what every route but Ollama's
 * legacy {@code /api/embeddings} wants), the first {@code dimensions} values kept when more than 0.
 */
public record EmbeddingRequest(String model, List<String> texts, List<int[]> tokens, boolean truncate,
                               boolean normalize, int dimensions, Options options, java.time.Duration keepAlive) {

    public EmbeddingRequest {
        options = options == null ? Options.NONE : options;
    }

    int count() {
        return tokens != null ? tokens.size() : texts.size();
    }
}
