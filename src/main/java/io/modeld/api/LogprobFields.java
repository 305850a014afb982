package io.modeld.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.engine.TokenLogprob;
import java.nio.charset.StandardCharsets;

/**
 * A token's log-probability as OpenAI's chat and Ollama both write it: {@code {token, logprob, bytes}}, with the
 * likeliest alternatives as {@code top_logprobs} of the same shape.
 */
public final class LogprobFields {

    private LogprobFields() {
    }

    /** The token with its alternatives. */
    public static ObjectNode of(TokenLogprob p) {
        ObjectNode t = entry(p.token(), p.logprob());
        ArrayNode top = t.putArray("top_logprobs");
        p.top().forEach(a -> top.add(entry(a.token(), a.logprob())));
        return t;
    }

    private static ObjectNode entry(String token, float logprob) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("token", token).put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return e;
    }
}
