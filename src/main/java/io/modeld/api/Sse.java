package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events as OpenAI streams them: {@code data: <json>} and a blank line per event, flushed per
 * event, ending with {@code data: [DONE]}; or named events, Anthropic's way. The status (200) goes with the first event.
 */
public final class Sse {

    private final OutputStream out;

    public Sse(Context ctx) {
        ctx.status(200).contentType("text/event-stream; charset=utf-8").header("Cache-Control", "no-cache");
        try {
            this.out = ctx.res().getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one event; an exception means the client went away. */
    public void event(JsonNode data) {
        write("data: " + data + "\n\n");
    }

    /** Sends one named event ({@code event: <name>}), as Anthropic's API streams them. */
    public void event(String name, JsonNode data) {
        write("event: " + name + "\ndata: " + data + "\n\n");
    }

    /**
     * A comment, which clients skip: sent while a long prompt is read, so that a client that left is found
     * (a write to its closed connection fails) and its generation stopped.
     */
    public void comment() {
        write(": reading the prompt\n\n");
    }

    /** The end of the stream. */
    public void done() {
        write("data: [DONE]\n\n");
    }

    private void write(String s) {
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
