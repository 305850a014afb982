package io.modeld.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.engine.ChatTurn;
import io.modeld.engine.Generation;
import io.modeld.runtime.RunnerResult;
import java.util.UUID;

/**
 * The objects of the Responses API: a response (its envelope repeats what the request set, as OpenAI's does),
 * its output items ({@code reasoning}, {@code message} with {@code output_text}, {@code function_call}) and its
 * usage, with the prompt found in the cache as {@code input_tokens_details.cached_tokens}.
 */
final class ResponseItems {

    private ResponseItems() {
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    /** A response as it begins ({@code in_progress}, no output): what the stream's first events carry. */
    static ObjectNode response(String id, long createdAt, String model, JsonNode body, String status) {
        ObjectNode r = Json.MAPPER.createObjectNode().put("id", id).put("object", "response").put("created_at", createdAt)
                .put("status", status).put("model", model);
        r.putNull("error");
        r.putNull("incomplete_details");
        r.set("instructions", body.path("instructions").isTextual() ? body.get("instructions") : null);
        r.set("max_output_tokens", body.get("max_output_tokens"));
        r.putArray("output");
        r.put("parallel_tool_calls", body.path("parallel_tool_calls").asBoolean(true));
        r.set("previous_response_id", body.get("previous_response_id"));
        r.putObject("reasoning").set("effort", body.path("reasoning").get("effort"));
        r.put("store", body.path("store").asBoolean(true));
        r.put("temperature", body.path("temperature").asDouble(1.0));
        r.set("text", body.path("text").isObject() ? body.get("text")
                : Json.MAPPER.createObjectNode().set("format", Json.MAPPER.createObjectNode().put("type", "text")));
        r.set("tool_choice", body.has("tool_choice") ? body.get("tool_choice") : Json.MAPPER.getNodeFactory().textNode("auto"));
        r.set("tools", body.path("tools").isArray() ? body.get("tools") : Json.MAPPER.createArrayNode());
        r.put("top_p", body.path("top_p").asDouble(1.0));
        r.put("truncation", "disabled");
        r.putNull("usage");
        r.set("metadata", body.path("metadata").isObject() ? body.get("metadata") : Json.MAPPER.createObjectNode());
        return r;
    }

    /** Ends {@code r} with the result: its status ({@code incomplete} when the token limit cut it), output and usage. */
    static ObjectNode finish(ObjectNode r, ArrayNode output, RunnerResult result) {
        boolean cut = result.finish() == Generation.Finish.LENGTH;
        r.put("status", cut ? "incomplete" : "completed");
        if (cut) {
            r.putObject("incomplete_details").put("reason", "max_output_tokens");
        }
        r.set("output", output);
        ObjectNode usage = r.putObject("usage").put("input_tokens", result.promptTokens());
        usage.putObject("input_tokens_details").put("cached_tokens", result.cachedTokens());
        usage.put("output_tokens", result.tokens());
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", result.promptTokens() + result.tokens());
        return r;
    }

    static ObjectNode reasoning(String id, String text) {
        ObjectNode item = Json.MAPPER.createObjectNode().put("id", id).put("type", "reasoning");
        item.putArray("summary");
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.addObject().put("type", "reasoning_text").put("text", text);
        }
        return item;
    }

    static ObjectNode message(String id, String text, String status) {
        ObjectNode item = Json.MAPPER.createObjectNode().put("id", id).put("type", "message").put("status", status)
                .put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.add(outputText(text));
        }
        return item;
    }

    static ObjectNode outputText(String text) {
        ObjectNode part = Json.MAPPER.createObjectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        part.putArray("logprobs");
        return part;
    }

    static ObjectNode functionCall(String id, ChatTurn.ToolCall call, String status) {
        return Json.MAPPER.createObjectNode().put("id", id).put("type", "function_call").put("status", status)
                .put("call_id", call.id() != null && !call.id().isEmpty() ? call.id() : id("call_"))
                .put("name", call.name()).put("arguments", call.arguments());
    }
}
