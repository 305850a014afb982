package io.modeld.api.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.ErrorStyle;
import io.modeld.api.Sse;
import io.modeld.inference.GenerationRequest;
import io.modeld.inference.Inference;
import io.modeld.inference.TokenSink;
import io.modeld.runtime.RunnerResult;

/**
 * One answer streamed as Anthropic's server-sent events: {@code message_start} once the prompt fits (so a
 * prompt that does not is still a plain 400), {@code ping} while a long prompt is read, a
 * {@code content_block_start} / {@code _delta} / {@code _stop} run per block ({@code thinking_delta},
 * {@code text_delta}, a tool call's {@code input_json_delta}), then {@code message_delta} with the stop reason
 * and {@code message_stop}. A failure after the stream began is an {@code error} event.
 */
final class AnthropicStream implements TokenSink {

    private final Context ctx;
    private final String id;
    private final String model;
    private Sse events;
    private int index = -1;
    /** The open block's type ("thinking", "text", "tool_use"), null when none is open. */
    private String open;
    private int toolIndex = -1;

    AnthropicStream(Context ctx, String id, String model) {
        this.ctx = ctx;
        this.id = id;
        this.model = model;
    }

    void run(Inference inference, GenerationRequest request) {
        RunnerResult result;
        try {
            result = inference.generate(request, this);
        } catch (ModeldException failure) {
            if (events == null) {
                throw failure;   // nothing sent yet: the door's plain error answer
            }
            ErrorStyle style = ErrorStyle.ANTHROPIC;
            events.event("error", ErrorStyle.anthropicError(style.status(failure.kind()), style.describe(failure)));
            return;
        }
        begin(result.promptTokens(), result.cachedTokens());
        close();
        ObjectNode delta = Json.MAPPER.createObjectNode().put("type", "message_delta");
        ObjectNode d = delta.putObject("delta").put("stop_reason", AnthropicRoutes.stopReason(result));
        AnthropicRoutes.stopSequence(d, result);
        delta.putObject("usage").put("output_tokens", result.tokens());
        events.event("message_delta", delta);
        events.event("message_stop", Json.MAPPER.createObjectNode().put("type", "message_stop"));
    }

    @Override
    public void started(int promptTokens, int cachedTokens) {
        begin(promptTokens, cachedTokens);
    }

    private void begin(int promptTokens, int cachedTokens) {
        if (events == null) {
            events = new Sse(ctx);
            ObjectNode start = Json.MAPPER.createObjectNode().put("type", "message_start");
            start.set("message", AnthropicRoutes.start(id, model, promptTokens, cachedTokens));
            events.event("message_start", start);
        }
    }

    @Override
    public void waiting() {
        if (events != null) {
            events.event("ping", Json.MAPPER.createObjectNode().put("type", "ping"));
        }
    }

    @Override
    public void text(String piece) {
        if (!"text".equals(open)) {
            open("text", Json.MAPPER.createObjectNode().put("type", "text").put("text", ""));
        }
        delta(Json.MAPPER.createObjectNode().put("type", "text_delta").put("text", piece));
    }

    @Override
    public void thinking(String piece) {
        if (!"thinking".equals(open)) {
            open("thinking", Json.MAPPER.createObjectNode().put("type", "thinking").put("thinking", "")
                    .put("signature", ""));
        }
        delta(Json.MAPPER.createObjectNode().put("type", "thinking_delta").put("thinking", piece));
    }

    @Override
    public void toolCall(ToolCallDelta d) {
        if (!"tool_use".equals(open) || d.index() != toolIndex) {
            toolIndex = d.index();
            ObjectNode block = Json.MAPPER.createObjectNode().put("type", "tool_use")
                    .put("id", AnthropicRoutes.toolUseId(d.id())).put("name", d.name() == null ? "" : d.name());
            block.putObject("input");
            open("tool_use", block);
        }
        if (d.arguments() != null && !d.arguments().isEmpty()) {
            delta(Json.MAPPER.createObjectNode().put("type", "input_json_delta").put("partial_json", d.arguments()));
        }
    }

    private void open(String type, ObjectNode block) {
        begin(0, 0);
        close();
        open = type;
        index++;
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", "content_block_start").put("index", index);
        e.set("content_block", block);
        events.event("content_block_start", e);
    }

    private void delta(ObjectNode delta) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", "content_block_delta").put("index", index);
        e.set("delta", delta);
        events.event("content_block_delta", e);
    }

    private void close() {
        if (open != null) {
            events.event("content_block_stop", Json.MAPPER.createObjectNode().put("type", "content_block_stop")
                    .put("index", index));
            open = null;
        }
    }
}
