package io.modeld.catalog;

import io.modeld.gguf.ModelRole;
import java.util.List;

/**
 * Where a remote model lives: the base URL of the server that holds it ({@code host}: scheme, host, port and any
 * path before {@code /v1}), the model's name there, and what it can do as that server said when the model was made
 * (Ollama's capability names: completion, tools, thinking, vision, audio, insert, embedding). A remote model has no
 * files here; every door forwards its requests to the server's OpenAI-compatible API. Its key, if the server wants
 * one, is not here: it is kept apart, like a registry login, and never shown.
 */
public record Remote(String host, String model, List<String> capabilities) {

    public Remote {
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    }

    /** An embedder when it embeds and does not complete; a generator otherwise. */
    public ModelRole role() {
        return capabilities.contains("embedding") && !capabilities.contains("completion") ? ModelRole.EMBEDDER
                : ModelRole.GENERATOR;
    }

    /** Whether the server said it can do {@code capability} (an Ollama capability name). */
    public boolean can(String capability) {
        return capabilities.contains(capability);
    }
}
