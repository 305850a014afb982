package io.modeld.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.engine.TokenLogprob;
import java.nio.charset.StandardCharsets;

/**
 * A token's log-probability as OpenAI's chat and Ollama both write it: {@code {token, logprob, bytes}}, with the
 * likeliest alternatives as {@code top_logprobs} of the same shape. {@code bytes} are the token's own bytes, so a
 * token holding part of a character (its {@code token} shows U+FFFD) still joins with its neighbours into the text.
 */
public final class LogprobFields {

    private LogprobFields() {
    }

    /** The token with its alternatives. */
    public static ObjectNode of(TokenLogprob p) {
        ObjectNode t = entry(p.bytes(), p.logprob());
        ArrayNode top = t.putArray("top_logprobs");
        p.top().forEach(a -> top.add(entry(a.bytes(), a.logprob())));
        return t;
    }

    private static ObjectNode entry(byte[] token, float logprob) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("token", new String(token, StandardCharsets.UTF_8))
                .put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : token) {
            bytes.add(b & 0xff);
        }
        return e;
    }
}
