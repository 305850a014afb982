package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import io.modeld.engine.ChatTurn;
import java.util.ArrayList;
import java.util.List;

/**
 * The tool calls of an assistant message in a chat history, as OpenAI and Ollama both send them:
 * {@code [{id?, function: {name, arguments}}]}, the arguments a JSON string (OpenAI) or object (Ollama).
 */
public final class ToolCallFields {

    private ToolCallFields() {
    }

    /** The calls of {@code messages[i]}; none when absent; a 400 naming the field when malformed. */
    public static List<ChatTurn.ToolCall> of(JsonNode calls, int i) {
        if (calls == null || calls.isNull()) {
            return List.of();
        }
        if (!calls.isArray()) {
            throw ModeldException.invalid("messages[" + i + "].tool_calls: must be an array");
        }
        List<ChatTurn.ToolCall> out = new ArrayList<>();
        for (int k = 0; k < calls.size(); k++) {
            JsonNode f = calls.get(k).path("function");
            if (!f.path("name").isTextual()) {
                throw ModeldException.invalid("messages[" + i + "].tool_calls[" + k + "].function.name: required");
            }
            JsonNode args = f.get("arguments");
            out.add(new ChatTurn.ToolCall(calls.get(k).path("id").asText(null), f.get("name").asText(),
                    args == null || args.isNull() ? "{}" : args.isTextual() ? args.asText() : args.toString()));
        }
        return out;
    }
}
