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
import io.modeld.inference.Inference;
import io.modeld.runtime.TokenText;

/**
 * llama-server's {@code POST /tokenize} ({@code content}, {@code add_special} false by default,
 * {@code parse_special} true, {@code with_pieces}) and {@code POST /detokenize} ({@code tokens}), with the
 * {@code model} a daemon of many models needs; errors in OpenAI's shape, as llama-server gives them.
 */
public final class TokenRoutes {

    private final Inference inference;

    public TokenRoutes(Inference inference) {
        this.inference = inference;
    }

    public void register(RoutesConfig routes) {
        routes.post("/tokenize", this::tokenize);
        routes.post("/detokenize", this::detokenize);
    }

    private void tokenize(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        String model = Fields.requiredText(body, "model", "a model id or unique name");
        String content = Fields.requiredText(body, "content", "the text to tokenize");
        TokenText t = inference.tokenize(model, content, Fields.bool(body, "add_special", false),
                Fields.bool(body, "parse_special", true), null);
        ArrayNode tokens = Json.MAPPER.createArrayNode();
        boolean pieces = Fields.bool(body, "with_pieces", false);
        for (int i = 0; i < t.tokens().length; i++) {
            if (pieces) {
                tokens.addObject().put("id", t.tokens()[i]).put("piece", t.pieces().get(i));
            } else {
                tokens.add(t.tokens()[i]);
            }
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("tokens", tokens);
        ctx.json(out);
    }

    private void detokenize(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        String model = Fields.requiredText(body, "model", "a model id or unique name");
        JsonNode list = body.get("tokens");
        if (list == null || !list.isArray()) {
            throw ModeldException.invalid("tokens: required, an array of token ids");
        }
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!list.get(i).canConvertToInt() || !list.get(i).isIntegralNumber()) {
                throw ModeldException.invalid("tokens[" + i + "]: must be a token id, a whole number");
            }
            ids[i] = list.get(i).intValue();
        }
        TokenText t = inference.tokenize(model, null, false, true, ids);
        ctx.json(Json.MAPPER.createObjectNode().put("content", t.content()));
    }
}
