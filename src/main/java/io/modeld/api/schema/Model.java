package io.modeld.api.schema;

/**
 * Model, as the Pieces SDKs read it, with modeld's extensions: {@code source}, {@code context},
 * {@code role} (generator, embedder or reranker), {@code ollama} (the name it answers to on Ollama's
 * API), {@code family}, {@code released}, {@code library} (where a model used in place lies), {@code remote}
 * (the server a remote model lives on, its name there and what it can do) and {@code unusable} (why it cannot be used
 * now).
 */
public record Model(
        Schema schema,
        String id,
        String version,
        GroupedTimestamp created,
        String name,
        String description,
        boolean cloud,
        String type,
        String usage,
        ByteDescriptor bytes,
        ByteDescriptor ram,
        String quantization,
        String foundation,
        Boolean downloaded,
        Boolean loaded,
        String unique,
        Double parameters,
        String provider,
        Boolean cpu,
        Boolean downloading,
        MaxTokens maxTokens,
        Boolean custom,
        Capabilities capabilities,
        Source source,
        Integer context,
        String role,
        String ollama,
        String family,
        Integer released,
        Library library,
        io.modeld.catalog.Remote remote,
        String unusable) {
}
