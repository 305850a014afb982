package io.modeld.api.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.api.Bodies;
import io.modeld.api.MediaInputs;
import io.modeld.api.ClientConnection;
import io.modeld.api.Fields;
import io.modeld.engine.ChatTurn;
import io.modeld.engine.Generation;
import io.modeld.inference.Answer;
import io.modeld.inference.GenerationRequest;
import io.modeld.inference.Inference;
import io.modeld.inference.Prompt;
import io.modeld.runtime.RunnerResult;
import java.util.UUID;

/**
 * Anthropic's Messages API: {@code POST /v1/messages} (Claude Code adds {@code ?beta=true}; beta headers and
 * unknown fields are ignored) answered whole or as Anthropic's named server-sent events
 * ({@link AnthropicStream}), and {@code POST /v1/messages/count_tokens}; parse, one call into
 * {@link Inference}, shape. A model's thinking comes back as a {@code thinking} block with an empty
 * signature (no one signs a local model's thoughts), as llama-server gives it.
 */
public final class AnthropicRoutes {

    private final Inference inference;

    public AnthropicRoutes(Inference inference) {
        this.inference = inference;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/messages", this::messages);
        routes.post("/v1/messages/count_tokens", this::countTokens);
    }

    private void messages(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        String model = Fields.requiredText(body, "model", "a model id or unique name");
        GenerationRequest request = new GenerationRequest(model,
                new Prompt.Chat(AnthropicRequests.chat(body, MediaInputs.of(ctx))),
                AnthropicRequests.options(body, true), null, false);
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        if (Fields.bool(body, "stream", false)) {
            new AnthropicStream(ctx, id, model).run(inference, request);
            return;
        }
        Answer answer = new Answer(ClientConnection.gone(ctx));
        RunnerResult result = inference.generate(request, answer);
        ObjectNode out = start(id, model, result.promptTokens(), result.cachedTokens());
        ArrayNode content = out.putArray("content");
        if (!answer.thinking().isEmpty()) {
            content.addObject().put("type", "thinking").put("thinking", answer.thinking()).put("signature", "");
        }
        if (!answer.text().isEmpty()) {
            content.addObject().put("type", "text").put("text", answer.text());
        }
        for (ChatTurn.ToolCall c : answer.toolCalls()) {
            content.addObject().put("type", "tool_use").put("id", toolUseId(c.id())).put("name", c.name())
                    .set("input", input(c.arguments()));
        }
        out.put("stop_reason", stopReason(result));
        stopSequence(out, result);
        ((ObjectNode) out.get("usage")).put("output_tokens", result.tokens());
        ctx.json(out);
    }

    /** {@code {"input_tokens": n}}: the prompt the same request would read, counted as its {@code usage} counts it. */
    private void countTokens(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        String model = Fields.requiredText(body, "model", "a model id or unique name");
        int tokens = inference.countTokens(new GenerationRequest(model,
                new Prompt.Chat(AnthropicRequests.chat(body, MediaInputs.of(ctx))), AnthropicRequests.options(body, false),
                null, false));
        ctx.json(Json.MAPPER.createObjectNode().put("input_tokens", tokens));
    }

    /**
     * A message as it begins: no content yet, its usage so far. Anthropic counts {@code input_tokens} apart
     * from the prompt found in the cache ({@code cache_read_input_tokens}); nothing is written to a cache on
     * request here, so {@code cache_creation_input_tokens} is 0.
     */
    static ObjectNode start(String id, String model, int promptTokens, int cachedTokens) {
        ObjectNode m = Json.MAPPER.createObjectNode().put("id", id).put("type", "message").put("role", "assistant")
                .put("model", model);
        m.putArray("content");
        m.putNull("stop_reason");
        m.putNull("stop_sequence");
        m.putObject("usage").put("input_tokens", promptTokens - cachedTokens)
                .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", cachedTokens)
                .put("output_tokens", 0);
        return m;
    }

    /** Why the answer ended, in Anthropic's words. */
    static String stopReason(RunnerResult r) {
        if (r.finish() == Generation.Finish.TOOL_CALLS) {
            return "tool_use";
        }
        if (r.finish() == Generation.Finish.LENGTH) {
            return "max_tokens";
        }
        return r.stopSequence() != null ? "stop_sequence" : "end_turn";
    }

    static void stopSequence(ObjectNode into, RunnerResult r) {
        if (r.stopSequence() != null && r.finish() == Generation.Finish.STOP) {
            into.put("stop_sequence", r.stopSequence());
        } else {
            into.putNull("stop_sequence");
        }
    }

    /** A call's id as Anthropic's clients expect one; made up when the model's template gave none. */
    static String toolUseId(String id) {
        return id != null && !id.isEmpty() ? id : "toolu_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A call's arguments as the JSON object {@code input} must be; {@code {}} when the model wrote no object. */
    static JsonNode input(String arguments) {
        try {
            JsonNode n = Json.MAPPER.readTree(arguments == null || arguments.isBlank() ? "{}" : arguments);
            return n != null && n.isObject() ? n : Json.MAPPER.createObjectNode();
        } catch (java.io.IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }
}
