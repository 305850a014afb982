package io.modeld.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.modeld.ModeldException;
import io.modeld.api.Fields;
import io.modeld.api.MediaInputs;
import io.modeld.api.ToolCallFields;
import io.modeld.engine.ChatRequest;
import io.modeld.engine.ChatTurn;
import io.modeld.inference.JsonGrammar;
import io.modeld.inference.JsonSchemaGrammar;
import io.modeld.inference.Options;
import io.modeld.inference.ToolSpecs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an OpenAI body asks, read within OpenAI's bounds: a chat's messages (string or text-part content,
 * tool calls and results, reasoning), tools and tool choice, reasoning effort, template variables, and the
 * sampling fields with llama.cpp's extras. The routes shape the answers.
 */
final class OpenAiRequests {

    private static final int MAX_TOKENS_LIMIT = 131_072;

    private OpenAiRequests() {
    }

    static ChatRequest chat(JsonNode body, MediaInputs media) {
        JsonNode m = body.get("messages");
        if (m == null || !m.isArray() || m.isEmpty()) {
            throw ModeldException.invalid("messages: required, a non-empty array of {role, content}");
        }
        List<ChatTurn> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            JsonNode msg = m.get(i);
            JsonNode role = msg.get("role");
            ChatTurn.Role r = ChatTurn.Role.of(role != null && role.isTextual() ? role.textValue() : "");
            if (r == null) {
                throw ModeldException.invalid("messages[" + i + "].role: must be system, developer, user, assistant or tool");
            }
            String reasoning = Fields.text(msg, "reasoning_content", Fields.text(msg, "reasoning", null));
            out.add(new ChatTurn(r, content(msg.get("content"), i, media), reasoning,
                    ToolCallFields.of(msg.get("tool_calls"), i), Fields.text(msg, "tool_call_id", null),
                    Fields.text(msg, "name", null)));
        }
        ArrayNode tools = ToolSpecs.of(body.get("tools"), "tools");
        JsonNode choice = ToolSpecs.choice(body.get("tool_choice"), tools, "tool_choice");
        Boolean parallel = Fields.has(body, "parallel_tool_calls") ? Fields.bool(body, "parallel_tool_calls", true) : null;
        String effort = Fields.text(body, "reasoning_effort", null);
        if (effort != null && !List.of("none", "minimal", "low", "medium", "high").contains(effort)) {
            throw ModeldException.invalid("reasoning_effort: must be none, minimal, low, medium or high");
        }
        Boolean thinking = "none".equals(effort) ? Boolean.FALSE : null;
        return new ChatRequest(out, tools, choice, parallel, thinking,
                effort == null || effort.equals("none") ? null : effort.equals("minimal") ? "low" : effort,
                templateKwargs(body.get("chat_template_kwargs")), media.items());
    }

    /** A raw GBNF grammar's longest text: as long as the largest schema's grammar. */
    private static final int MAX_GRAMMAR = 64 << 10;

    /** Template variables the request's own fields set. */
    private static final List<String> RESERVED_KWARGS = List.of("messages", "tools", "tool_choice",
            "add_generation_prompt", "bos_token", "eos_token");

    /** llama-server's and vLLM's {@code chat_template_kwargs}: more variables for the template ({@code enable_thinking}). */
    private static Map<String, JsonNode> templateKwargs(JsonNode kwargs) {
        if (kwargs == null || kwargs.isNull()) {
            return Map.of();
        }
        if (!kwargs.isObject() || kwargs.size() > 64) {
            throw ModeldException.invalid("chat_template_kwargs: must be an object of at most 64 variables");
        }
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        kwargs.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        for (String reserved : RESERVED_KWARGS) {
            if (out.containsKey(reserved)) {
                // they would replace what the request says (the model's system prompt, the checked tools)
                throw ModeldException.invalid("chat_template_kwargs." + reserved + ": set by the request itself, not a "
                        + "template variable; send it as " + (reserved.equals("messages") || reserved.equals("tools")
                        || reserved.equals("tool_choice") ? "the request's " + reserved : "part of the messages"));
            }
        }
        JsonNode thinking = out.get("enable_thinking");
        if (thinking != null && !thinking.isBoolean()) {
            throw ModeldException.invalid("chat_template_kwargs.enable_thinking: must be true or false");
        }
        return out;
    }

    /**
     * A message's content: a string, or an array of parts: text, {@code image_url} (a data URL; {@code detail} is
     * llama.cpp's to choose) and {@code input_audio} ({@code data} in base64, {@code format} wav or mp3), each
     * medium where its part stands.
     */
    private static String content(JsonNode content, int i, MediaInputs media) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int p = 0; p < content.size(); p++) {
                JsonNode part = content.get(p);
                String type = part.path("type").asText();
                String where = "messages[" + i + "].content[" + p + "]";
                switch (type) {
                    case "text" -> text.append(part.path("text").asText());
                    case "image_url" -> {
                        JsonNode url = part.path("image_url");
                        text.append(media.image(url.isTextual() ? url.textValue() : url.path("url").asText(null),
                                where + ".image_url.url"));
                    }
                    case "input_audio" -> text.append(media.audio(part.path("input_audio").path("data").asText(null),
                            part.path("input_audio").path("format").asText(null), where + ".input_audio.data"));
                    default -> throw ModeldException.invalid(where + ".type: '" + type + "' is not a part modeld "
                            + "reads; send text, image_url or input_audio");
                }
            }
            return text.toString();
        }
        throw ModeldException.invalid("messages[" + i + "].content: must be a string or an array of parts");
    }

    /** OpenAI's sampling fields within OpenAI's bounds, and llama.cpp's extras; what is absent stays null. */
    static Options options(JsonNode body) {
        String grammar = Fields.text(body, "grammar", null);
        if (grammar != null && grammar.length() > MAX_GRAMMAR) {
            throw ModeldException.invalid("grammar: " + grammar.length() + " characters, more than the " + MAX_GRAMMAR
                    + " a request may give");
        }
        JsonNode format = body.get("response_format");
        if (format != null && !format.isNull()) {
            String type = format.path("type").asText();
            switch (type) {
                case "text" -> { }
                case "json_object" -> grammar = JsonGrammar.OBJECT;
                case "json_schema" -> grammar = JsonSchemaGrammar.of(format.path("json_schema").path("schema"),
                        "response_format.json_schema.schema");
                default -> throw ModeldException.invalid("response_format.type: must be text, json_object or json_schema");
            }
        }
        String maxField = Fields.has(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        List<String> stop = Fields.strings(body, "stop", 4);
        return new Options(floatOf(body, "temperature", 0, 2), intOf(body, "top_k", 0, 1000), floatOf(body, "top_p", 0, 1),
                floatOf(body, "min_p", 0, 1), null, Fields.has(body, "seed") ? Fields.whole(body, "seed", -1, -1,
                0xFFFFFFFEL) : null, floatOf(body, "repeat_penalty", 0, 2), null,
                floatOf(body, "presence_penalty", -2, 2), floatOf(body, "frequency_penalty", -2, 2),
                intOf(body, maxField, 1, MAX_TOKENS_LIMIT), null, stop.isEmpty() ? null : stop, grammar);
    }

    private static Float floatOf(JsonNode body, String field, double min, double max) {
        return Fields.has(body, field) ? (float) Fields.number(body, field, 0, min, max) : null;
    }

    private static Integer intOf(JsonNode body, String field, long min, long max) {
        return Fields.has(body, field) ? (int) Fields.whole(body, field, 0, min, max) : null;
    }
}
