package io.modeld.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A conversation for the model's chat template: the messages, the tools it may call (OpenAI's
 * {@code tools} array; empty for none), how it must call them ({@code toolChoice}: "auto", "none",
 * "required" or {@code {"type": "function", "function": {"name": ...}}}), whether it may call several at
 * once, whether it thinks first ({@code thinking}: null leaves it to the template) and how hard
 * ({@code effort}: low, medium, high), other template variables ({@code kwargs}), and the images and audio the
 * messages hold ({@code media}), each where a {@link Media#MARKER} stands in their text, in order.
 */
public record ChatRequest(List<ChatTurn> messages, JsonNode tools, JsonNode toolChoice, Boolean parallelToolCalls,
                          Boolean thinking, String effort, Map<String, JsonNode> kwargs, List<Media> media) {

    public ChatRequest {
        messages = List.copyOf(messages);
        kwargs = kwargs == null ? Map.of() : Map.copyOf(kwargs);
        media = media == null ? List.of() : List.copyOf(media);
    }

    public ChatRequest(List<ChatTurn> messages, JsonNode tools, JsonNode toolChoice, Boolean parallelToolCalls,
                       Boolean thinking, String effort, Map<String, JsonNode> kwargs) {
        this(messages, tools, toolChoice, parallelToolCalls, thinking, effort, kwargs, List.of());
    }

    /** Plain messages, no tools. */
    public static ChatRequest of(List<ChatTurn> messages) {
        return new ChatRequest(messages, null, null, null, null, null, null);
    }

    /** This one with other messages (the model's system prompt put in front). */
    public ChatRequest withMessages(List<ChatTurn> newMessages) {
        return new ChatRequest(newMessages, tools, toolChoice, parallelToolCalls, thinking, effort, kwargs, media);
    }

    /** Whether tools are offered and may be called. */
    public boolean offersTools() {
        return tools != null && tools.isArray() && !tools.isEmpty()
                && !(toolChoice != null && toolChoice.isTextual() && toolChoice.textValue().equals("none"));
    }

    /** Whether its messages hold images or audio. */
    public boolean hasMedia() {
        return !media.isEmpty();
    }

    /** The request as llama.cpp's chat layer reads it (llama-server's body fields). */
    public ObjectNode toJson() {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        var list = r.putArray("messages");
        messages.forEach(m -> list.add(m.openAi()));
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            r.set("tools", tools);
            if (toolChoice != null) {
                r.set("tool_choice", toolChoice);
            }
            if (parallelToolCalls != null) {
                r.put("parallel_tool_calls", parallelToolCalls);
            }
        }
        if (thinking != null) {
            r.put("enable_thinking", thinking);
        }
        if (effort != null) {
            r.put("reasoning_effort", effort);
        }
        if (!kwargs.isEmpty()) {
            ObjectNode k = r.putObject("chat_template_kwargs");
            kwargs.forEach(k::set);
        }
        return r;
    }
}
