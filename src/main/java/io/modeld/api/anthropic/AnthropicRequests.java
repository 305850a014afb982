package io.modeld.api.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.ModeldException;
import io.modeld.api.Fields;
import io.modeld.api.MediaInputs;
import io.modeld.engine.ChatRequest;
import io.modeld.engine.ChatTurn;
import io.modeld.inference.Options;
import io.modeld.inference.ToolSpecs;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Messages body asks, as the core's chat: {@code system} (a string or text blocks) first, then each
 * message's blocks — {@code text}, {@code thinking} (an assistant's reasoning), {@code tool_use} (its calls),
 * {@code tool_result} (a tool's answer, a message of its own before the user's text, {@code is_error}
 * said in words) — and mid-conversation {@code system} messages; {@code tools} ({@code input_schema}; the
 * server tools Anthropic runs itself, such as web search, are left out), {@code tool_choice},
 * {@code thinking}, and the sampling fields within Anthropic's bounds. Unknown fields are ignored, as
 * Anthropic's beta headers add them.
 */
final class AnthropicRequests {

    /** Stop sequences a request may give: the runner checks each against every piece. */
    private static final int MAX_STOP = 16;
    private static final int MAX_TOKENS_LIMIT = 131_072;
    private static final String BILLING = "x-anthropic-billing-header:";

    private AnthropicRequests() {
    }

    static ChatRequest chat(JsonNode body, MediaInputs media) {
        List<ChatTurn> out = new ArrayList<>();
        String system = system(body.get("system"));
        if (system != null) {
            out.add(new ChatTurn(ChatTurn.Role.SYSTEM, system));
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ModeldException.invalid("messages: required, a non-empty array of {role, content}");
        }
        for (int i = 0; i < messages.size(); i++) {
            message(messages.get(i), "messages[" + i + "]", out, media);
        }
        ArrayNode tools = ToolSpecs.of(tools(body.get("tools")), "tools");
        ToolChoice choice = toolChoice(body.get("tool_choice"), tools);
        return new ChatRequest(out, tools, choice.choice, choice.parallel, thinking(body.get("thinking")), null, null,
                media.items());
    }

    /** The system prompt: a string or text blocks, joined; Claude Code's changing billing stamp made constant. */
    private static String system(JsonNode system) {
        if (system == null || system.isNull()) {
            return null;
        }
        if (system.isTextual()) {
            return normalised(system.textValue());
        }
        if (!system.isArray()) {
            throw ModeldException.invalid("system: must be a string or an array of text blocks");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < system.size(); i++) {
            JsonNode b = system.get(i);
            if (!"text".equals(b.path("type").asText()) || !b.path("text").isTextual()) {
                throw ModeldException.invalid("system[" + i + "]: must be {\"type\": \"text\", \"text\": ...}");
            }
            text.append(normalised(b.get("text").textValue()));
        }
        return text.toString();
    }

    /**
     * Claude Code's first system block, {@code x-anthropic-billing-header: cc_version=...; cch=a5145;}, carries
     * a value that changes every request in some versions: left as it is, no turn would find its prefix in a
     * cache. Its characters are replaced by as many {@code f}s, as llama-server does (its pull request 21793).
     */
    static String normalised(String text) {
        if (!text.startsWith(BILLING)) {
            return text;
        }
        int at = text.indexOf("cch=", BILLING.length());
        int end = at < 0 ? -1 : text.indexOf(';', at);
        if (end < 0) {
            return text;
        }
        return text.substring(0, at + 4) + "f".repeat(end - at - 4) + text.substring(end);
    }

    /** One message: its tool results become tool messages of their own, in front of what else it says. */
    private static void message(JsonNode msg, String where, List<ChatTurn> out, MediaInputs media) {
        String role = msg.path("role").asText("");
        ChatTurn.Role r = switch (role) {
            case "user" -> ChatTurn.Role.USER;
            case "assistant" -> ChatTurn.Role.ASSISTANT;
            case "system" -> ChatTurn.Role.SYSTEM;
            default -> throw ModeldException.invalid(where + ".role: must be user, assistant or system");
        };
        JsonNode content = msg.get("content");
        if (content != null && content.isTextual()) {
            out.add(new ChatTurn(r, r == ChatTurn.Role.SYSTEM ? normalised(content.textValue()) : content.textValue()));
            return;
        }
        if (content == null || !content.isArray()) {
            throw ModeldException.invalid(where + ".content: must be a string or an array of content blocks");
        }
        StringBuilder text = new StringBuilder();
        StringBuilder thinking = new StringBuilder();
        List<ChatTurn.ToolCall> calls = new ArrayList<>();
        for (int j = 0; j < content.size(); j++) {
            JsonNode b = content.get(j);
            String at = where + ".content[" + j + "]";
            String type = b.path("type").asText("");
            switch (type) {
                case "text" -> text.append(textOf(b, at));
                case "thinking" -> thinking.append(b.path("thinking").asText(""));
                case "redacted_thinking" -> { } // encrypted by Anthropic for Anthropic: nothing a local model reads
                case "tool_use" -> {
                    if (r != ChatTurn.Role.ASSISTANT) {
                        throw ModeldException.invalid(at + ": a tool_use block belongs to an assistant message");
                    }
                    String name = Fields.requiredText(b, "name", "the tool's name");
                    JsonNode input = b.get("input");
                    calls.add(new ChatTurn.ToolCall(Fields.text(b, "id", null), name,
                            input == null || input.isNull() ? "{}" : input.toString()));
                }
                case "tool_result" -> {
                    if (r != ChatTurn.Role.USER) {
                        throw ModeldException.invalid(at + ": a tool_result block belongs to a user message");
                    }
                    String result = toolResult(b.get("content"), at + ".content", media);
                    if (b.path("is_error").asBoolean(false)) {
                        result = "Error: " + result;
                    }
                    out.add(new ChatTurn(ChatTurn.Role.TOOL, result, null, List.of(),
                            Fields.requiredText(b, "tool_use_id", "the id of the tool_use it answers"), null));
                }
                case "image" -> text.append(image(b, at, media));
                case "document" -> throw ModeldException.invalid(at + ": a 'document' block needs a model that reads "
                        + "it; these models read text and images");
                default -> throw ModeldException.invalid(at + ".type: must be text, image, tool_use, tool_result, "
                        + "thinking or redacted_thinking");
            }
        }
        if (!text.isEmpty() || !calls.isEmpty() || !thinking.isEmpty()) {
            String said = r == ChatTurn.Role.SYSTEM ? normalised(text.toString()) : text.toString();
            out.add(new ChatTurn(r, said, thinking.isEmpty() ? null : thinking.toString(), calls, null, null));
        }
    }

    private static String textOf(JsonNode block, String where) {
        JsonNode t = block.get("text");
        if (t == null || !t.isTextual()) {
            throw ModeldException.invalid(where + ".text: required, a string");
        }
        return t.textValue();
    }

    /**
     * An image block: {@code source} of type {@code base64} (its {@code data}); a {@code url} source is refused, as
     * modeld fetches nothing a client names.
     */
    private static String image(JsonNode block, String where, MediaInputs media) {
        JsonNode source = block.path("source");
        String type = source.path("type").asText("");
        return switch (type) {
            case "base64" -> media.image(source.path("data").asText(null), where + ".source.data");
            case "url" -> media.image(source.path("url").asText(""), where + ".source.url");
            default -> throw ModeldException.invalid(where + ".source.type: must be base64 (or url, which modeld "
                    + "does not fetch)");
        };
    }

    /** A tool's answer: a string, or text and image blocks joined. */
    private static String toolResult(JsonNode content, String where, MediaInputs media) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw ModeldException.invalid(where + ": must be a string or an array of text blocks");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode b = content.get(i);
            String type = b.path("type").asText("");
            if (type.equals("image")) {
                text.append(image(b, where + "[" + i + "]", media));
                continue;
            }
            if (!type.equals("text")) {
                throw ModeldException.invalid(where + "[" + i + "]: a '" + type + "' block needs a model that reads "
                        + "it; these models read text and images");
            }
            text.append(textOf(b, where + "[" + i + "]"));
        }
        return text.toString();
    }

    /**
     * Anthropic's tools in OpenAI's shape for the template: {@code {name, description, input_schema}} each. Tools
     * with a {@code type} of their own (web search, code execution, Anthropic's versioned bash and editor) run
     * on Anthropic's side, which a local model has not: they are left out, as a client sends them regardless.
     */
    private static JsonNode tools(JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return null;
        }
        if (!tools.isArray()) {
            throw ModeldException.invalid("tools: must be an array of {name, description, input_schema}");
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String type = t.path("type").asText("custom");
            if (!type.equals("custom")) {
                continue;
            }
            JsonNode schema = t.get("input_schema");
            if (schema == null || !schema.isObject()) {
                throw ModeldException.invalid("tools[" + i + "].input_schema: required, a JSON Schema object");
            }
            ObjectNode f = out.addObject().put("type", "function").putObject("function");
            f.set("name", t.get("name"));
            if (t.path("description").isTextual()) {
                f.set("description", t.get("description"));
            }
            f.set("parameters", schema);
        }
        return out;
    }

    private record ToolChoice(JsonNode choice, Boolean parallel) {
    }

    /** {@code auto}, {@code any} (some tool), {@code tool} (that one), {@code none}; and whether calls may come together. */
    private static ToolChoice toolChoice(JsonNode tc, ArrayNode tools) {
        if (tc == null || tc.isNull()) {
            return new ToolChoice(null, null);
        }
        String type = tc.path("type").asText("");
        JsonNode openAi = switch (type) {
            case "auto" -> JsonNodeFactory.instance.textNode("auto");
            case "any" -> JsonNodeFactory.instance.textNode("required");
            case "none" -> JsonNodeFactory.instance.textNode("none");
            case "tool" -> {
                ObjectNode c = JsonNodeFactory.instance.objectNode().put("type", "function");
                c.putObject("function").put("name", Fields.requiredText(tc, "name", "the tool's name"));
                yield c;
            }
            default -> throw ModeldException.invalid("tool_choice.type: must be auto, any, tool or none");
        };
        Boolean parallel = tc.path("disable_parallel_tool_use").asBoolean(false) ? Boolean.FALSE : null;
        return new ToolChoice(ToolSpecs.choice(openAi, tools, "tool_choice"), parallel);
    }

    /**
     * {@code thinking}: {@code enabled} (with its {@code budget_tokens}) and {@code disabled} turn the
     * template's thinking on and off; {@code adaptive} (Claude Code's) leaves it to the model's template.
     */
    private static Boolean thinking(JsonNode thinking) {
        if (thinking == null || thinking.isNull()) {
            return null;
        }
        return switch (thinking.path("type").asText("")) {
            case "enabled" -> {
                Fields.whole(thinking, "budget_tokens", 1024, 1, MAX_TOKENS_LIMIT);
                yield Boolean.TRUE;
            }
            case "disabled" -> Boolean.FALSE;
            case "adaptive" -> null;
            default -> throw ModeldException.invalid("thinking.type: must be enabled, disabled or adaptive");
        };
    }

    /** The sampling fields within Anthropic's bounds (temperature 0 to 1); what is absent stays null. */
    static Options options(JsonNode body, boolean requireMax) {
        Integer max = null;
        if (Fields.has(body, "max_tokens") || requireMax) {
            if (!Fields.has(body, "max_tokens")) {
                throw ModeldException.invalid("max_tokens: required, the most tokens to generate");
            }
            max = (int) Fields.whole(body, "max_tokens", 0, 1, Integer.MAX_VALUE);
            max = Math.min(max, MAX_TOKENS_LIMIT);
        }
        List<String> stop = Fields.strings(body, "stop_sequences", MAX_STOP);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw ModeldException.invalid("stop_sequences: an empty string would stop before the first token");
            }
        }
        return new Options(floatOf(body, "temperature", 0, 1), Fields.has(body, "top_k")
                ? (int) Fields.whole(body, "top_k", 0, 0, 1000) : null, floatOf(body, "top_p", 0, 1), null, null, null,
                null, null, null, null, max, null, stop.isEmpty() ? null : stop, null);
    }

    private static Float floatOf(JsonNode body, String field, double min, double max) {
        return Fields.has(body, field) ? (float) Fields.number(body, field, 0, min, max) : null;
    }
}
