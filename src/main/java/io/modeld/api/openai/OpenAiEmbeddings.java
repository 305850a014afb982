package io.modeld.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.Bodies;
import io.modeld.api.Fields;
import io.modeld.inference.EmbeddingRequest;
import io.modeld.inference.Embeddings;
import io.modeld.inference.Inference;
import io.modeld.inference.Ranking;
import io.modeld.inference.RerankRequest;
import io.modeld.inference.Vectors;
import java.util.ArrayList;
import java.util.List;

/**
 * Embeddings and reranking on OpenAI's side: {@code POST /v1/embeddings} (strings or token arrays, float
 * or base64, {@code dimensions}), and the Jina/Cohere-shaped {@code POST /v1/rerank} and {@code POST /rerank}
 * that llama.cpp's server and LocalAI serve; parse, one call into {@link Inference}, shape. Vectors are
 * unit length; the input cap and the queue limit are the inference core's, the same as Ollama's routes'.
 */
final class OpenAiEmbeddings {

    private final Inference inference;

    OpenAiEmbeddings(Inference inference) {
        this.inference = inference;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/embeddings", this::embeddings);
        routes.post("/v1/rerank", this::rerank);
        routes.post("/rerank", this::rerank);
    }

    private void embeddings(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        String name = Fields.requiredText(body, "model", "a model id or unique name");
        String format = Fields.text(body, "encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ModeldException.invalid("encoding_format: must be float or base64");
        }
        int dimensions = (int) Fields.whole(body, "dimensions", 0, 1, 65_536);
        JsonNode input = body.get("input");
        List<String> texts = null;
        List<int[]> tokens = null;
        if (input == null || input.isNull()) {
            throw ModeldException.invalid("input: required, a string, an array of strings, or token arrays");
        } else if (input.isTextual()) {
            texts = List.of(input.textValue());
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isIntegralNumber()) {
            tokens = List.of(tokenArray(input, "input"));
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isArray()) {
            tokens = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                tokens.add(tokenArray(input.get(i), "input[" + i + "]"));
            }
        } else if (input.isArray() && !input.isEmpty()) {
            texts = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                if (!input.get(i).isTextual()) {
                    throw ModeldException.invalid("input[" + i + "]: must be a string, like the others");
                }
                texts.add(input.get(i).textValue());
            }
        } else {
            throw ModeldException.invalid("input: must be a non-empty string array, a string, or token arrays");
        }
        Embeddings pooled = inference.embed(new EmbeddingRequest(name, texts, tokens, true, true, dimensions, null, null));
        ObjectNode out = Json.MAPPER.createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < pooled.vectors().size(); i++) {
            float[] v = pooled.vectors().get(i);
            ObjectNode item = data.addObject().put("object", "embedding");
            if (format.equals("base64")) {
                item.put("embedding", Vectors.base64(v));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float x : v) {
                    values.add(x);
                }
            }
            item.put("index", i);
        }
        out.put("model", name);
        out.putObject("usage").put("prompt_tokens", pooled.tokens()).put("total_tokens", pooled.tokens());
        ctx.json(out);
    }

    private static int[] tokenArray(JsonNode array, String field) {
        if (!array.isArray() || array.isEmpty()) {
            throw ModeldException.invalid(field + ": a token array must hold at least one token id");
        }
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt()) {
                throw ModeldException.invalid(field + "[" + i + "]: must be a token id (a whole number)");
            }
            out[i] = t.intValue();
        }
        return out;
    }

    private void rerank(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        String name = Fields.requiredText(body, "model", "a model id or unique name");
        String query = Fields.requiredText(body, "query", "the text to rank the documents against");
        JsonNode docs = body.get("documents");
        if (docs == null || !docs.isArray() || docs.isEmpty()) {
            throw ModeldException.invalid("documents: required, a non-empty array of strings or {text} objects");
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            JsonNode d = docs.get(i);
            if (d.isTextual()) {
                texts.add(d.textValue());
            } else if (d.isObject() && d.path("text").isTextual()) {
                texts.add(d.get("text").textValue());
            } else {
                throw ModeldException.invalid("documents[" + i + "]: must be a string or {\"text\": ...}");
            }
        }
        int topN = (int) Fields.whole(body, "top_n", 0, 1, Inference.MAX_INPUTS);
        boolean returnDocuments = Fields.bool(body, "return_documents", true);
        Ranking ranking = inference.rerank(new RerankRequest(name, query, texts, topN, true));
        ObjectNode out = Json.MAPPER.createObjectNode().put("model", name).put("object", "list");
        ArrayNode results = out.putArray("results");
        for (Ranking.Ranked r : ranking.results()) {
            ObjectNode item = results.addObject().put("index", r.index()).put("relevance_score", r.score());
            if (returnDocuments) {
                item.putObject("document").put("text", texts.get(r.index()));
            }
        }
        out.putObject("usage").put("prompt_tokens", ranking.tokens()).put("total_tokens", ranking.tokens());
        ctx.json(out);
    }
}
