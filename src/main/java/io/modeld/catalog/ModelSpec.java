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
 * @param modelfile Ollama's template, system prompt, parameters and license, for models that have them
 * @param remote where a remote model lives (another modeld, an Ollama, an OpenAI-compatible server); null for a
 *               model whose files are here
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
        String ollama,
        Modelfile modelfile,
        Remote remote) {

    /** What a unique name looks like; also the shape of every {model} path segment (a UUID fits it). */
    public static final Pattern UNIQUE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /** This spec with another Ollama name and Modelfile. */
    public ModelSpec withOllama(String name, Modelfile file) {
        return new ModelSpec(this.name, version, description, cloud, type, usage, bytes, ram, quantization, foundation,
                unique, parameters, provider, cpu, maxTokens, capabilities, source, context, family, released, name, file, remote);
    }

    /** This spec with another name. */
    public ModelSpec withName(String newName) {
        return new ModelSpec(newName, version, description, cloud, type, usage, bytes, ram, quantization, foundation,
                unique, parameters, provider, cpu, maxTokens, capabilities, source, context, family, released, ollama,
                modelfile, remote);
    }

    /** This spec with another source (or none). */
    public ModelSpec withSource(ModelSource newSource) {
        return new ModelSpec(name, version, description, cloud, type, usage, bytes, ram, quantization, foundation,
                unique, parameters, provider, cpu, maxTokens, capabilities, newSource, context, family, released, ollama,
                modelfile, remote);
    }

    /** This spec with another unique name (or none). */
    public ModelSpec withUnique(String newUnique) {
        return new ModelSpec(name, version, description, cloud, type, usage, bytes, ram, quantization, foundation,
                newUnique, parameters, provider, cpu, maxTokens, capabilities, source, context, family, released, ollama,
                modelfile, remote);
    }

    /** The spec a create starts from before the client's fields are applied. */
    public static ModelSpec defaults() {
        return new ModelSpec(null, "1.0.0", null, false, "UNKNOWN", "CODE_CONVERSATION", null, null,
                null, "UNKNOWN", null, null, "UNKNOWN", true, null, null, null, null, null, null, null, null, null);
    }

    /**
     * This spec answered by a remote model: cloud (the Pieces Model's word for a model that lives elsewhere), with the
     * role its capabilities say, and no source of files.
     */
    public ModelSpec withRemote(Remote where) {
        return new ModelSpec(name, version, description, true, type, ModelRoles.usageFor(where.role(), usage), bytes,
                ram, quantization, foundation, unique, parameters, provider, false, maxTokens, capabilities, null, context,
                family, released, ollama, modelfile, where);
    }
}
