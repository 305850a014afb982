package io.modeld.registry;

import java.util.Locale;

/**
 * What a manifest's layer holds, by its media type, across the three layouts of models in registries:
 * Ollama's ({@code application/vnd.ollama.image.*}), Docker Model Runner's ({@code application/vnd.docker.ai.*})
 * and ModelPack's ({@code application/vnd.cncf.model.*}).
 */
public enum LayerKind {
    /** GGUF weights: the model file, or one shard of it. */
    WEIGHTS,
    /** A vision or audio projector (GGUF). */
    PROJECTOR,
    /** Ollama's prompt template (Go template text). */
    TEMPLATE,
    SYSTEM,
    /** Default parameters, a JSON object. */
    PARAMS,
    LICENSE,
    /** Anything else: kept in the registry, not fetched. */
    OTHER;

    /** The kind of a layer of this media type (and, for ModelPack's raw weights, this file path). */
    public static LayerKind of(String mediaType, String filePath) {
        String t = mediaType == null ? "" : mediaType.toLowerCase(Locale.ROOT);
        return switch (t) {
            case "application/vnd.ollama.image.model", "application/vnd.docker.ai.gguf.v3",
                 "application/vnd.cncf.model.weight.v1.gguf" -> WEIGHTS;
            case "application/vnd.cncf.model.weight.v1.raw" ->
                    filePath != null && filePath.toLowerCase(Locale.ROOT).endsWith(".gguf") ? WEIGHTS : OTHER;
            case "application/vnd.ollama.image.projector", "application/vnd.docker.ai.mmproj" -> PROJECTOR;
            case "application/vnd.ollama.image.template", "application/vnd.ollama.image.prompt" -> TEMPLATE;
            case "application/vnd.ollama.image.system" -> SYSTEM;
            case "application/vnd.ollama.image.params" -> PARAMS;
            case "application/vnd.ollama.image.license", "application/vnd.docker.ai.license" -> LICENSE;
            default -> OTHER;
        };
    }

    /** Small text layers are read into the model's metadata; at most this many bytes each. */
    public static final long MAX_TEXT = 1 << 20;
}
