package io.modeld.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.jna.Pointer;

/**
 * The parser of one generation's output, in the format its template said (Hermes and Qwen
 * {@code <tool_call>}, Llama 3.x JSON, Mistral {@code [TOOL_CALLS]}, gpt-oss channels, DeepSeek, Granite,
 * ...): fed the text as it comes, it answers what changed, reasoning, content and tool calls apart.
 */
public final class ChatParser implements AutoCloseable {

    private final ChatLayer layer;
    private Pointer handle;

    ChatParser(ChatLayer layer, Pointer handle) {
        this.layer = layer;
        this.handle = handle;
    }

    /**
     * Adds generated text ({@code partial} while more may come) and answers
     * {@code {"diffs": [{reasoning, content, index, id, name, arguments}], "message": {...}}}.
     */
    public JsonNode add(String text, boolean partial) throws EngineException {
        return layer.json(err -> layer.lib.modeld_parser_add(handle, text, partial ? 1 : 0, err),
                EngineException.Kind.RUNTIME);
    }

    @Override
    public void close() {
        if (handle != null) {
            layer.lib.modeld_parser_free(handle);
            handle = null;
        }
    }
}
