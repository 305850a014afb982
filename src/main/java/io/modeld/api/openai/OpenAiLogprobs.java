package io.modeld.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.Fields;
import io.modeld.api.LogprobFields;
import io.modeld.engine.TokenLogprob;
import java.util.List;

/**
 * OpenAI's log-probabilities: asked by chat's {@code logprobs: true} with {@code top_logprobs} (0 to 20), or by
 * completions' {@code logprobs} (0 to 5 alternatives); given back as chat's {@code logprobs.content} (token,
 * logprob, bytes, top_logprobs) or completions' legacy {@code tokens}, {@code token_logprobs},
 * {@code top_logprobs} and {@code text_offset}. Streamed, they come whole with the last chunk.
 */
final class OpenAiLogprobs {

    private OpenAiLogprobs() {
    }

    /** The alternatives asked for; -1 when log-probabilities were not asked for. */
    static int requested(JsonNode body, boolean chat) {
        if (chat) {
            if (!Fields.bool(body, "logprobs", false)) {
                if (Fields.has(body, "top_logprobs")) {
                    throw ModeldException.invalid("top_logprobs: needs logprobs: true");
                }
                return -1;
            }
            return (int) Fields.whole(body, "top_logprobs", 0, 0, 20);
        }
        return Fields.has(body, "logprobs") ? (int) Fields.whole(body, "logprobs", 0, 0, 5) : -1;
    }

    static JsonNode of(List<TokenLogprob> probs, boolean chat) {
        if (probs == null) {
            return NullNode.getInstance();
        }
        return chat ? chat(probs) : completion(probs);
    }

    private static ObjectNode chat(List<TokenLogprob> probs) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode content = out.putArray("content");
        probs.forEach(p -> content.add(LogprobFields.of(p)));
        out.putNull("refusal");
        return out;
    }

    private static ObjectNode completion(List<TokenLogprob> probs) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode tokens = out.putArray("tokens");
        ArrayNode logprobs = out.putArray("token_logprobs");
        ArrayNode top = out.putArray("top_logprobs");
        ArrayNode offsets = out.putArray("text_offset");
        int offset = 0;
        for (TokenLogprob p : probs) {
            tokens.add(p.token());
            logprobs.add(p.logprob());
            ObjectNode alternatives = top.addObject();
            p.top().forEach(a -> alternatives.put(a.token(), a.logprob()));
            offsets.add(offset);
            offset += p.token().length();
        }
        return out;
    }
}
