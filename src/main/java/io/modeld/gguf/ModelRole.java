package io.modeld.gguf;

import java.util.Locale;
import java.util.Set;

/**
 * What a model file is for, read from its GGUF metadata: generating text, embedding it, or ranking
 * documents against a query (a classifier head with rank pooling).
 */
public enum ModelRole {
    GENERATOR("chat and completions"),
    EMBEDDER("embeddings"),
    RERANKER("reranking");

    /** llama.cpp's {@code LLAMA_POOLING_TYPE_RANK}. */
    private static final long RANK_POOLING = 4;
    /** Encoder-only architectures: they embed and cannot generate. */
    private static final Set<String> ENCODERS = Set.of("bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2",
            "jina-bert-v3", "neo-bert", "modern-bert", "eurobert", "gemma-embedding", "t5encoder");

    private final String serves;

    ModelRole(String serves) {
        this.serves = serves;
    }

    /** What it serves, for messages. */
    public String serves() {
        return serves;
    }

    /** Its name as the API shows it: generator, embedder or reranker. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "a generator", "an embedder", "a reranker". */
    public String withArticle() {
        return (this == EMBEDDER ? "an " : "a ") + wire();
    }

    /** The role of a model file: rank pooling or classifier labels make a reranker, pooling or an encoder an embedder. */
    public static ModelRole of(GgufFile file) {
        String arch = file.architecture();
        Long pooling = file.archInteger("pooling_type");
        if (pooling != null && pooling == RANK_POOLING || file.metadata().containsKey(arch + ".classifier.output_labels")) {
            return RERANKER;
        }
        Object causal = file.metadata().get(arch + ".attention.causal");
        if (pooling != null && pooling > 0 || Boolean.FALSE.equals(causal) || arch != null && ENCODERS.contains(arch)) {
            return EMBEDDER;
        }
        return GENERATOR;
    }
}
