package io.modeld.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import java.io.IOException;

/** Reads and writes JSON bodies; every malformed request body becomes a 400 that says what is wrong. */
public final class Bodies {

    /** The largest request body (and WebSocket frame) any door reads: 413 beyond. */
    public static final long MAX = 1024 * 1024;

    /**
     * The largest body of a route that may carry images and audio in it (base64 in JSON, as every client sends
     * them): 48 MiB, room for OpenAI's 20 MB an image and more than one, still far from what a model file is.
     */
    public static final long MEDIA_MAX = 48L * 1024 * 1024;

    /** The generation routes that take images or audio, whose bodies may be up to {@link #MEDIA_MAX}. */
    private static final java.util.Set<String> MEDIA_ROUTES = java.util.Set.of("/v1/chat/completions", "/api/chat",
            "/api/generate", "/v1/messages", "/v1/messages/count_tokens", "/v1/responses", "/v1/responses/input_tokens",
            "/v1/audio/transcriptions");

    /** The largest body a request to {@code path} may send. */
    public static long maxFor(String path) {
        return MEDIA_ROUTES.contains(path) ? MEDIA_MAX : MAX;
    }

    private Bodies() {
    }

    /**
     * Answers with JSON already serialized, written to the response in one piece with its length. Javalin's
     * {@code result(byte[])} copies it through a stream 8 KiB at a time; written whole, {@code GET /models}
     * (63 KB, polled by the Pieces SDKs) answered about a fifth more requests per second in {@code bench/api.sh}.
     */
    public static void json(Context ctx, byte[] json) {
        ctx.contentType("application/json");
        ctx.res().setContentLength(json.length);
        try {
            ctx.res().getOutputStream().write(json);
        } catch (IOException gone) {
            // The client left; Jetty ends the exchange.
        }
    }

    public static JsonNode json(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            throw ModeldException.invalid("body: required, a JSON object");
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            // Some refusals (nesting too deep, a number too long) carry no location.
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ModeldException.invalid("body: malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ModeldException.invalid("body: unreadable: " + e.getMessage());
        }
    }
}
