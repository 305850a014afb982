package io.modeld.catalog;

import java.util.regex.Pattern;

/**
 * What a model is, as its creator describes it: every SeededModel field a client may set, plus the
 * {@code source} and {@code context} extensions. State (downloaded, loaded) lives elsewhere.
 *
 * @param context the context, in tokens, a load gives the model; null means the default: the model's
 *                trained context, at most 4096
 * @param family the model family, e.g. {@code qwen3} (extension; the catalog's, or read from the file)
 * @param released the year the model came out (extension, catalog models)
 * @param ollama the name Ollama's library gives this model, e.g. {@code qwen3:4b} (extension; it answers to it)
 */
public record ModelSpec(
        String name,
        String version,
        String description,
        boolean cloud,
        String type,
        String usage,
        Long bytes,
        Long ram,
        String quantization,
        String foundation,
        String unique,
        Double parameters,
        String provider,
        Boolean cpu,
        MaxTokens maxTokens,
        Capabilities capabilities,
        ModelSource source,
        Integer context,
        String family,
        Integer released,
        String ollama) {

    /** What a unique name looks like; also the shape of every {model} path segment (a UUID fits it). */
    public static final Pattern UNIQUE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /** The spec a create starts from before the client's fields are applied. */
    public static ModelSpec defaults() {
        return new ModelSpec(null, "1.0.0", null, false, "UNKNOWN", "CODE_CONVERSATION", null, null,
                null, "UNKNOWN", null, null, "UNKNOWN", true, null, null, null, null, null, null, null);
    }
}
