package io.modeld.api.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.ErrorStyle;
import io.modeld.api.Sse;
import io.modeld.engine.ChatTurn;
import io.modeld.inference.GenerationRequest;
import io.modeld.inference.Inference;
import io.modeld.inference.TokenSink;
import io.modeld.runtime.RunnerResult;

/**
 * One response streamed as the Responses API's events: {@code response.created} and {@code .in_progress} once
 * the prompt fits (a prompt that does not is still a plain 400), then per output item
 * {@code response.output_item.added}, its deltas ({@code response.content_part.added} and
 * {@code response.reasoning_text.delta} or {@code response.output_text.delta}, or
 * {@code response.function_call_arguments.delta}), their {@code .done} events and
 * {@code response.output_item.done}; at the end {@code response.completed} (or {@code .incomplete} when the
 * token limit cut it, {@code .failed} on a failure after the stream began). Every event has its
 * {@code sequence_number}.
 */
final class ResponsesStream implements TokenSink {

    private final Context ctx;
    private final ObjectNode response;
    private final ArrayNode output = Json.MAPPER.createArrayNode();
    private Sse events;
    private int sequence;
    /** The open item ("reasoning", "message", "function_call"), null when none. */
    private String open;
    private String itemId;
    private final StringBuilder text = new StringBuilder();
    private ChatTurn.ToolCall call;
    private int callIndex = -1;

    ResponsesStream(Context ctx, ObjectNode response) {
        this.ctx = ctx;
        this.response = response;
    }

    /** Streams the generation; returns the finished response (to store), or null when it failed. */
    ObjectNode run(Inference inference, GenerationRequest request) {
        RunnerResult result;
        try {
            result = inference.generate(request, this);
        } catch (ModeldException failure) {
            if (events == null) {
                throw failure;
            }
            response.put("status", "failed");
            response.putObject("error").put("code", "server_error").put("message", ErrorStyle.OPENAI.describe(failure));
            send("response.failed", Json.MAPPER.createObjectNode().set("response", response));
            return null;
        }
        begin();
        close();
        ResponseItems.finish(response, output, result);
        send("completed".equals(response.path("status").asText()) ? "response.completed" : "response.incomplete",
                Json.MAPPER.createObjectNode().set("response", response));
        return response;
    }

    @Override
    public void started(int promptTokens, int cachedTokens) {
        begin();
    }

    private void begin() {
        if (events == null) {
            events = new Sse(ctx);
            send("response.created", Json.MAPPER.createObjectNode().set("response", response));
            send("response.in_progress", Json.MAPPER.createObjectNode().set("response", response));
        }
    }

    @Override
    public void waiting() {
        if (events != null) {
            events.comment();
        }
    }

    @Override
    public void thinking(String piece) {
        if (!"reasoning".equals(open)) {
            open("reasoning", ResponseItems.reasoning(ResponseItems.id("rs_"), null));
            send("response.content_part.added", at().put("content_index", 0).set("part", reasoningText("")));
        }
        text.append(piece);
        send("response.reasoning_text.delta", at().put("content_index", 0).put("delta", piece));
    }

    @Override
    public void text(String piece) {
        if (!"message".equals(open)) {
            open("message", ResponseItems.message(ResponseItems.id("msg_"), null, "in_progress"));
            send("response.content_part.added", at().put("content_index", 0).set("part", ResponseItems.outputText("")));
        }
        text.append(piece);
        ObjectNode delta = at().put("content_index", 0).put("delta", piece);
        delta.putArray("logprobs");
        send("response.output_text.delta", delta);
    }

    @Override
    public void toolCall(ToolCallDelta d) {
        if (!"function_call".equals(open) || d.index() != callIndex) {
            callIndex = d.index();
            String id = ResponseItems.id("fc_");
            call = new ChatTurn.ToolCall(d.id() != null && !d.id().isEmpty() ? d.id() : ResponseItems.id("call_"),
                    d.name() == null ? "" : d.name(), "");
            ObjectNode item = ResponseItems.functionCall(id, call, "in_progress");
            open("function_call", item);
        }
        String piece = d.arguments() == null ? "" : d.arguments();
        if (!piece.isEmpty()) {
            text.append(piece);
            send("response.function_call_arguments.delta", at().put("delta", piece));
        }
    }

    private void open(String type, ObjectNode item) {
        begin();
        close();
        open = type;
        itemId = item.get("id").asText();
        text.setLength(0);
        ObjectNode e = Json.MAPPER.createObjectNode().put("output_index", output.size());
        e.set("item", item);
        send("response.output_item.added", e);
    }

    private static ObjectNode reasoningText(String text) {
        return Json.MAPPER.createObjectNode().put("type", "reasoning_text").put("text", text);
    }

    /** The fields that place an event: the item and its index among the output. */
    private ObjectNode at() {
        return Json.MAPPER.createObjectNode().put("item_id", itemId).put("output_index", output.size());
    }

    private void close() {
        if (open == null) {
            return;
        }
        String whole = text.toString();
        ObjectNode item = switch (open) {
            case "reasoning" -> {
                send("response.reasoning_text.done", at().put("content_index", 0).put("text", whole));
                send("response.content_part.done", at().put("content_index", 0).set("part", reasoningText(whole)));
                yield ResponseItems.reasoning(itemId, whole);
            }
            case "message" -> {
                send("response.output_text.done", at().put("content_index", 0).put("text", whole));
                send("response.content_part.done", at().put("content_index", 0)
                        .set("part", ResponseItems.outputText(whole)));
                yield ResponseItems.message(itemId, whole, "completed");
            }
            default -> {
                String arguments = whole.isEmpty() ? "{}" : whole;
                send("response.function_call_arguments.done", at().put("arguments", arguments));
                yield ResponseItems.functionCall(itemId, new ChatTurn.ToolCall(call.id(), call.name(), arguments),
                        "completed");
            }
        };
        ObjectNode e = Json.MAPPER.createObjectNode().put("output_index", output.size());
        e.set("item", item);
        send("response.output_item.done", e);
        output.add(item);
        open = null;
    }

    private void send(String type, ObjectNode event) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", type).put("sequence_number", sequence++);
        e.setAll(event);
        events.event(type, e);
    }
}
