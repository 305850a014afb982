package io.modeld.engine;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * One message of a conversation: who says it and its text; an assistant's reasoning and the tool calls it
 * made; for a tool's answer, the call it answers and the tool's name. As OpenAI's chat messages hold them,
 * which is what llama.cpp's chat layer reads.
 *
 * @param toolCalls the calls an assistant message made; empty for others
 */
public record ChatTurn(Role role, String content, String reasoning, List<ToolCall> toolCalls, String toolCallId,
                       String toolName) {

    public ChatTurn {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public ChatTurn(Role role, String content) {
        this(role, content, null, List.of(), null, null);
    }

    /** A call of a tool: its id, the function's name and its arguments as JSON text. */
    public record ToolCall(String id, String name, String arguments) {
    }

    /** Who speaks: as OpenAI, Ollama and the chat templates spell it, in lower case. */
    public enum Role {
        SYSTEM, USER, ASSISTANT, TOOL;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The role a client named ({@code developer} is OpenAI's newer word for system), or null when none. */
        @JsonCreator
        public static Role of(String name) {
            String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
            return switch (n) {
                case "system", "developer" -> SYSTEM;
                case "user" -> USER;
                case "assistant" -> ASSISTANT;
                case "tool" -> TOOL;
                default -> null;
            };
        }
    }

    /** The message in OpenAI's shape, as llama.cpp's chat layer reads it. */
    public ObjectNode openAi() {
        ObjectNode m = JsonNodeFactory.instance.objectNode().put("role", role.wire()).put("content", content == null
                ? "" : content);
        if (reasoning != null && !reasoning.isEmpty()) {
            m.put("reasoning_content", reasoning);
        }
        if (!toolCalls.isEmpty()) {
            var calls = m.putArray("tool_calls");
            for (ToolCall c : toolCalls) {
                ObjectNode call = calls.addObject().put("type", "function");
                if (c.id() != null) {
                    call.put("id", c.id());
                }
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        }
        if (toolCallId != null) {
            m.put("tool_call_id", toolCallId);
        }
        if (toolName != null) {
            m.put("name", toolName);
        }
        return m;
    }
}
