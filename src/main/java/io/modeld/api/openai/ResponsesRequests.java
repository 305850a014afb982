package io.modeld.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.ModeldException;
import io.modeld.api.Fields;
import io.modeld.api.MediaInputs;
import io.modeld.engine.ChatRequest;
import io.modeld.engine.ChatTurn;
import io.modeld.inference.JsonGrammar;
import io.modeld.inference.JsonSchemaGrammar;
import io.modeld.inference.Options;
import io.modeld.inference.ToolSpecs;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Responses body asks, as the core's chat: {@code instructions} first, then {@code input} (a string, or
 * items: messages of any role with text parts, the assistant's {@code function_call}s, their
 * {@code function_call_output}s, and {@code reasoning}), the {@code function} tools (tool types modeld cannot
 * run, such as web search or Codex's {@code namespace}, are left out, not refused, as Codex offers them
 * regardless), {@code tool_choice}, {@code parallel_tool_calls}, {@code reasoning.effort}, {@code text.format}
 * and the sampling fields within OpenAI's bounds. Unknown fields ({@code include}, {@code prompt_cache_key},
 * {@code client_metadata}, ...) are ignored.
 */
final class ResponsesRequests {

    private static final int MAX_TOKENS_LIMIT = 131_072;

    private ResponsesRequests() {
    }

    /**
     * The conversation: what came before ({@code history}, from a stored response, its images already in
     * {@code media}) and then this input.
     */
    static ChatRequest chat(JsonNode body, List<ChatTurn> history, MediaInputs media) {
        List<ChatTurn> out = new ArrayList<>();
        String instructions = Fields.text(body, "instructions", null);
        if (instructions != null && !instructions.isEmpty()) {
            out.add(new ChatTurn(ChatTurn.Role.SYSTEM, instructions));
        }
        out.addAll(history);
        out.addAll(turns(input(body), media));
        if (out.isEmpty()) {
            throw ModeldException.invalid("input: required, a string or a non-empty array of items");
        }
        ArrayNode tools = ToolSpecs.of(tools(body.get("tools")), "tools");
        JsonNode choice = toolChoice(body.get("tool_choice"), tools);
        Boolean parallel = Fields.has(body, "parallel_tool_calls") ? Fields.bool(body, "parallel_tool_calls", true) : null;
        String effort = body.path("reasoning").path("effort").asText(null);
        if (effort != null && !List.of("none", "minimal", "low", "medium", "high", "xhigh").contains(effort)) {
            throw ModeldException.invalid("reasoning.effort: must be none, minimal, low, medium, high or xhigh");
        }
        Boolean thinking = "none".equals(effort) ? Boolean.FALSE : null;
        String level = effort == null || effort.equals("none") ? null : effort.equals("minimal") ? "low"
                : effort.equals("xhigh") ? "high" : effort;
        return new ChatRequest(out, tools, choice, parallel, thinking, level, null, media.items());
    }

    /** The input as items: a string is one user message. */
    static ArrayNode input(JsonNode body) {
        JsonNode input = body.get("input");
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        if (input == null || input.isNull()) {
            return items;
        }
        if (input.isTextual()) {
            ObjectNode m = items.addObject().put("type", "message").put("role", "user");
            m.putArray("content").addObject().put("type", "input_text").put("text", input.textValue());
            return items;
        }
        if (!input.isArray()) {
            throw ModeldException.invalid("input: must be a string or an array of items");
        }
        return (ArrayNode) input;
    }

    /**
     * Items as chat turns: function calls join the assistant turn before them, reasoning the assistant turn after it;
     * their images go to {@code media}.
     */
    static List<ChatTurn> turns(JsonNode items, MediaInputs media) {
        List<ChatTurn> out = new ArrayList<>();
        String reasoning = null;
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String where = "input[" + i + "]";
            String type = item.path("type").asText(item.has("role") ? "message" : "");
            switch (type) {
                case "message" -> {
                    ChatTurn.Role role = ChatTurn.Role.of(item.path("role").asText(""));
                    if (role == null || role == ChatTurn.Role.TOOL) {
                        throw ModeldException.invalid(where + ".role: must be user, assistant, system or developer");
                    }
                    String text = text(item.get("content"), where + ".content", media);
                    out.add(new ChatTurn(role, text, role == ChatTurn.Role.ASSISTANT ? reasoning : null, List.of(),
                            null, null));
                    reasoning = role == ChatTurn.Role.ASSISTANT ? null : reasoning;
                }
                case "function_call" -> {
                    ChatTurn.ToolCall call = new ChatTurn.ToolCall(Fields.requiredText(item, "call_id", "the call's id"),
                            Fields.requiredText(item, "name", "the function's name"), Fields.text(item, "arguments", "{}"));
                    ChatTurn last = out.isEmpty() ? null : out.get(out.size() - 1);
                    if (last != null && last.role() == ChatTurn.Role.ASSISTANT && reasoning == null) {
                        List<ChatTurn.ToolCall> calls = new ArrayList<>(last.toolCalls());
                        calls.add(call);
                        out.set(out.size() - 1, new ChatTurn(last.role(), last.content(), last.reasoning(), calls, null,
                                null));
                    } else {
                        out.add(new ChatTurn(ChatTurn.Role.ASSISTANT, "", reasoning, List.of(call), null, null));
                        reasoning = null;
                    }
                }
                case "function_call_output" -> out.add(new ChatTurn(ChatTurn.Role.TOOL,
                        text(item.get("output"), where + ".output", media), null, List.of(),
                        Fields.requiredText(item, "call_id", "the id of the call it answers"), null));
                case "reasoning" -> reasoning = reasoningText(item);
                case "input_image", "input_file" -> throw ModeldException.invalid(where + ": an '" + type + "' goes in "
                        + "a message's content");
                default -> throw ModeldException.invalid(where + ".type: must be message, function_call, "
                        + "function_call_output or reasoning");
            }
        }
        return out;
    }

    /** A reasoning item's text: its reasoning_text content, else its summary. */
    private static String reasoningText(JsonNode item) {
        StringBuilder text = new StringBuilder();
        for (JsonNode part : item.path("content")) {
            text.append(part.path("text").asText(""));
        }
        if (text.isEmpty()) {
            for (JsonNode part : item.path("summary")) {
                text.append(part.path("text").asText(""));
            }
        }
        return text.isEmpty() ? null : text.toString();
    }

    /**
     * Content: a string, or parts joined: text ({@code input_text}, {@code output_text}, {@code text}) and images
     * ({@code input_image} with a data URL in {@code image_url}).
     */
    private static String text(JsonNode content, String where, MediaInputs media) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw ModeldException.invalid(where + ": must be a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String type = part.path("type").asText("");
            switch (type) {
                case "input_text", "output_text", "text" -> text.append(part.path("text").asText(""));
                case "refusal" -> text.append(part.path("refusal").asText(""));
                case "input_image" -> {
                    if (part.hasNonNull("file_id")) {
                        throw ModeldException.invalid(where + "[" + j + "].file_id: modeld keeps no files; send the "
                                + "image as a data URL in image_url");
                    }
                    text.append(media.image(part.path("image_url").asText(null), where + "[" + j + "].image_url"));
                }
                default -> throw ModeldException.invalid(where + "[" + j + "]: an '" + type + "' part is not one "
                        + "modeld reads; send text or input_image parts");
            }
        }
        return text.toString();
    }

    /** The {@code function} tools in Chat Completions' shape; the rest left out. */
    private static JsonNode tools(JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return null;
        }
        if (!tools.isArray()) {
            throw ModeldException.invalid("tools: must be an array of {\"type\": \"function\", \"name\", \"parameters\"}");
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode t : tools) {
            if (!"function".equals(t.path("type").asText())) {
                continue;
            }
            ObjectNode f = out.addObject().put("type", "function").putObject("function");
            f.set("name", t.get("name"));
            if (t.path("description").isTextual()) {
                f.set("description", t.get("description"));
            }
            if (t.has("parameters")) {
                f.set("parameters", t.get("parameters"));
            }
        }
        return out;
    }

    /** {@code auto}, {@code none}, {@code required} or {@code {"type": "function", "name"}}. */
    private static JsonNode toolChoice(JsonNode choice, ArrayNode tools) {
        if (choice != null && choice.isObject() && "function".equals(choice.path("type").asText())) {
            ObjectNode c = JsonNodeFactory.instance.objectNode().put("type", "function");
            c.putObject("function").put("name", Fields.requiredText(choice, "name", "the function's name"));
            return ToolSpecs.choice(c, tools, "tool_choice");
        }
        return ToolSpecs.choice(choice, tools, "tool_choice");
    }

    /** The sampling fields within OpenAI's bounds, and {@code text.format}'s grammar. */
    static Options options(JsonNode body) {
        String grammar = null;
        JsonNode format = body.path("text").path("format");
        if (format.isObject()) {
            switch (format.path("type").asText("text")) {
                case "text" -> { }
                case "json_object" -> grammar = JsonGrammar.OBJECT;
                case "json_schema" -> grammar = JsonSchemaGrammar.of(format.path("schema"), "text.format.schema");
                default -> throw ModeldException.invalid("text.format.type: must be text, json_object or json_schema");
            }
        }
        return new Options(Fields.has(body, "temperature") ? (float) Fields.number(body, "temperature", 0, 0, 2) : null,
                null, Fields.has(body, "top_p") ? (float) Fields.number(body, "top_p", 0, 0, 1) : null, null, null, null,
                null, null, null, null, Fields.has(body, "max_output_tokens")
                ? (int) Fields.whole(body, "max_output_tokens", 0, 1, MAX_TOKENS_LIMIT) : null, null, null, grammar);
    }
}
