package io.modeld.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.jna.Pointer;

/** A model's chat templates in llama.cpp's chat layer: renders requests, tells what the templates can do. */
public final class ChatTemplates implements AutoCloseable {

    private final ChatLayer layer;
    private Pointer handle;

    ChatTemplates(ChatLayer layer, Pointer handle) {
        this.layer = layer;
        this.handle = handle;
    }

    /**
     * Renders an OpenAI-shaped request ({@code messages}, {@code tools}, {@code tool_choice},
     * {@code parallel_tool_calls}, {@code add_generation_prompt}, {@code enable_thinking},
     * {@code reasoning_effort}, {@code chat_template_kwargs}) as llama-server does: the prompt, and the
     * grammar, triggers, preserved tokens, stops and parser its output needs. INPUT when the request does not
     * fit the template (a tool_choice naming no tool, a template that throws).
     */
    public JsonNode apply(String requestJson) throws EngineException {
        return layer.json(err -> layer.lib.modeld_chat_apply(handle, requestJson, err), EngineException.Kind.INPUT);
    }

    /** What the templates can do: {@code supports_tools}, {@code supports_enable_thinking}, ... */
    public JsonNode caps() throws EngineException {
        return layer.json(err -> layer.lib.modeld_chat_caps(handle, err), EngineException.Kind.MODEL);
    }

    @Override
    public void close() {
        if (handle != null) {
            layer.lib.modeld_chat_free(handle);
            handle = null;
        }
    }
}
