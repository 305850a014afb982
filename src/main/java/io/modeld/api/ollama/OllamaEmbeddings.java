package io.modeld.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.Bodies;
import io.modeld.api.Fields;
import io.modeld.catalog.ModelRecord;
import io.modeld.inference.EmbeddingRequest;
import io.modeld.inference.Embeddings;
import io.modeld.inference.Inference;
import io.modeld.inference.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Ollama's {@code /api/embed} (unit vectors; {@code truncate}, {@code dimensions}; empty input only loads)
 * and the legacy {@code /api/embeddings} (one raw vector, not normalised, as Ollama answers it); the
 * input cap and the queue limit are the inference core's, the same as OpenAI's routes'.
 */
final class OllamaEmbeddings {

    private final Inference inference;

    OllamaEmbeddings(Inference inference) {
        this.inference = inference;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/embed", this::embed);
        routes.post("/api/embeddings", this::embeddings);
    }

    private void embed(Context ctx) {
        long start = System.nanoTime();
        JsonNode body = Bodies.json(ctx);
        String name = OllamaRequest.model(body);
        ModelRecord r = OllamaRoutes.local(inference, name);
        List<String> inputs = inputs(body.get("input"));
        boolean truncate = Fields.bool(body, "truncate", true);
        int dimensions = (int) Fields.whole(body, "dimensions", 0, 0, 65_536);
        Options options = OllamaRequest.options(body);
        Duration keepAlive = OllamaRequest.keepAlive(body);
        ObjectNode out = Json.MAPPER.createObjectNode().put("model", name);
        ArrayNode vectors = out.putArray("embeddings");
        long loadNanos = 0;
        int tokens = 0;
        if (inputs.isEmpty()) {
            inference.load(r.id(), inference.loadOptions(r, options, keepAlive));
        } else {
            Embeddings e = inference.embed(new EmbeddingRequest(r.id(), inputs, null, truncate, true, dimensions,
                    options, keepAlive));
            for (float[] v : e.vectors()) {
                ArrayNode a = vectors.addArray();
                for (float x : v) {
                    a.add(x);
                }
            }
            loadNanos = e.loadNanos();
            tokens = e.tokens();
        }
        out.put("total_duration", System.nanoTime() - start).put("load_duration", loadNanos)
                .put("prompt_eval_count", tokens);
        ctx.json(out);
    }

    private static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull() || input.isTextual() && input.textValue().isEmpty()
                || input.isArray() && input.isEmpty()) {
            return List.of();
        }
        if (input.isTextual()) {
            return List.of(input.textValue());
        }
        if (!input.isArray()) {
            throw ModeldException.invalid("invalid input type");
        }
        List<String> inputs = new ArrayList<>();
        for (JsonNode i : input) {
            if (!i.isTextual()) {
                throw ModeldException.invalid("invalid input type");
            }
            inputs.add(i.textValue());
        }
        return inputs;
    }

    /** The older {@code /api/embeddings}: one prompt, one vector, not normalised (as Ollama answers it). */
    private void embeddings(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        ModelRecord r = OllamaRoutes.local(inference, OllamaRequest.model(body));
        String prompt = Fields.text(body, "prompt", "");
        Options options = OllamaRequest.options(body);
        Duration keepAlive = OllamaRequest.keepAlive(body);
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode vector = out.putArray("embedding");
        if (prompt.isEmpty()) {
            inference.load(r.id(), inference.loadOptions(r, options, keepAlive));
        } else {
            for (float x : inference.embed(new EmbeddingRequest(r.id(), List.of(prompt), null, true, false, 0, options,
                    keepAlive)).vectors().get(0)) {
                vector.add(x);
            }
        }
        ctx.json(out);
    }
}
