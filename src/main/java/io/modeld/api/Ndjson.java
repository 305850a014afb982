package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Ollama's streams: {@code application/x-ndjson}, one JSON object and a newline per line, flushed per
 * line. The status (200) is sent with the first line; an error after that is one more line,
 * {@code {"error": "..."}}, as Ollama's clients expect.
 */
public final class Ndjson {

    private final OutputStream out;

    public Ndjson(Context ctx) {
        ctx.status(200).contentType("application/x-ndjson");
        try {
            this.out = ctx.res().getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one line; an exception means the client went away. */
    public void line(JsonNode json) {
        try {
            out.write((json.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void error(String message) {
        line(io.modeld.Json.MAPPER.createObjectNode().put("error", message));
    }
}
