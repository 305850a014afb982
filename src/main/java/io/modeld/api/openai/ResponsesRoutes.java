package io.modeld.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.api.Bodies;
import io.modeld.api.ClientConnection;
import io.modeld.api.Fields;
import io.modeld.engine.ChatTurn;
import io.modeld.inference.Answer;
import io.modeld.inference.GenerationRequest;
import io.modeld.inference.Inference;
import io.modeld.inference.Prompt;
import io.modeld.responses.StoredResponses;
import io.modeld.runtime.RunnerResult;
import java.util.List;

/**
 * OpenAI's Responses API, which Codex speaks: {@code POST /v1/responses} answered whole or as its events
 * ({@link ResponsesStream}), {@code POST /v1/responses/input_tokens}, and stored responses —
 * {@code store} (true unless said otherwise, as OpenAI's) keeps a response with its input,
 * {@code previous_response_id} continues from one, {@code GET} and {@code DELETE /v1/responses/{id}} and
 * {@code GET /v1/responses/{id}/input_items} read them; they survive a restart. Parse, one call into
 * {@link Inference}, shape.
 */
public final class ResponsesRoutes {

    private final Inference inference;
    private final StoredResponses stored;

    public ResponsesRoutes(Inference inference, StoredResponses stored) {
        this.inference = inference;
        this.stored = stored;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/responses", this::create);
        routes.post("/v1/responses/input_tokens", this::inputTokens);
        routes.get("/v1/responses/{id}", ctx -> ctx.json(stored.get(ctx.pathParam("id")).response()));
        routes.delete("/v1/responses/{id}", this::delete);
        routes.get("/v1/responses/{id}/input_items", this::inputItems);
    }

    /** The request as the core's: its history from the stored response it continues, then its own input. */
    private record Asked(GenerationRequest request, ArrayNode input) {
    }

    private Asked asked(io.javalin.http.Context ctx, JsonNode body) {
        String model = Fields.requiredText(body, "model", "a model id or unique name");
        ArrayNode input = Json.MAPPER.createArrayNode();
        String previous = Fields.text(body, "previous_response_id", null);
        if (previous != null) {
            StoredResponses.Stored before = stored.get(previous);
            input.addAll(before.input());
            for (JsonNode item : before.response().path("output")) {
                input.add(item);
            }
        }
        io.modeld.api.MediaInputs media = io.modeld.api.MediaInputs.of(ctx);
        List<ChatTurn> history = ResponsesRequests.turns(input, media);
        ArrayNode own = ResponsesRequests.input(body);
        input.addAll(own);
        GenerationRequest request = new GenerationRequest(model, new Prompt.Chat(ResponsesRequests.chat(body, history,
                media)),
                ResponsesRequests.options(body), null, false);
        return new Asked(request, input);
    }

    private void create(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        boolean store = Fields.bool(body, "store", true);
        Asked stated = asked(ctx, body);
        // a stored response is one its client continues (previous_response_id): the prompt cache keeps it first
        Asked asked = store ? new Asked(stated.request().kept(), stated.input()) : stated;
        ObjectNode response = ResponseItems.response(ResponseItems.id("resp_"), System.currentTimeMillis() / 1000,
                asked.request().model(), body, "in_progress");
        if (Fields.bool(body, "stream", false)) {
            ObjectNode done = new ResponsesStream(ctx, response).run(inference, asked.request());
            if (done != null && store) {
                stored.put(asked.input(), done);
            }
            return;
        }
        Answer answer = new Answer(ClientConnection.gone(ctx));
        RunnerResult result = inference.generate(asked.request(), answer);
        ArrayNode output = Json.MAPPER.createArrayNode();
        if (!answer.thinking().isEmpty()) {
            output.add(ResponseItems.reasoning(ResponseItems.id("rs_"), answer.thinking()));
        }
        if (!answer.text().isEmpty() || answer.toolCalls().isEmpty()) {
            output.add(ResponseItems.message(ResponseItems.id("msg_"), answer.text(), "completed"));
        }
        for (ChatTurn.ToolCall call : answer.toolCalls()) {
            output.add(ResponseItems.functionCall(ResponseItems.id("fc_"), call, "completed"));
        }
        ResponseItems.finish(response, output, result);
        if (store) {
            stored.put(asked.input(), response);
        }
        ctx.json(response);
    }

    /** {@code {"object": "response.input_tokens", "input_tokens": n}}: counted as the same request's usage counts. */
    private void inputTokens(Context ctx) {
        int tokens = inference.countTokens(asked(ctx, Bodies.json(ctx)).request());
        ctx.json(Json.MAPPER.createObjectNode().put("object", "response.input_tokens").put("input_tokens", tokens));
    }

    private void delete(Context ctx) {
        String id = ctx.pathParam("id");
        stored.delete(id);
        ctx.json(Json.MAPPER.createObjectNode().put("id", id).put("object", "response").put("deleted", true));
    }

    /** The items a stored response was asked with, as a list page (all of them on one). */
    private void inputItems(Context ctx) {
        ArrayNode items = stored.get(ctx.pathParam("id")).input();
        ArrayNode data = Json.MAPPER.createArrayNode();
        int n = 0;
        for (JsonNode item : items) {
            ObjectNode copy = item.deepCopy();
            if (!copy.has("id")) {
                copy.put("id", "item_" + n);
            }
            n++;
            data.add(copy);
        }
        if (!"asc".equals(ctx.queryParam("order"))) {   // newest first unless asked, as OpenAI lists them
            ArrayNode reversed = Json.MAPPER.createArrayNode();
            for (int i = data.size() - 1; i >= 0; i--) {
                reversed.add(data.get(i));
            }
            data = reversed;
        }
        ObjectNode out = Json.MAPPER.createObjectNode().put("object", "list");
        out.set("data", data);
        out.put("first_id", data.isEmpty() ? null : data.get(0).get("id").asText());
        out.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).get("id").asText());
        out.put("has_more", false);
        ctx.json(out);
    }
}
