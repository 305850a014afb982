package io.modeld.inference;

/**
 * Where a generation's text goes as it comes: each front door's stream writer (server-sent events,
 * NDJSON lines, WebSocket frames) or a buffer for a plain JSON answer. A sink that throws (its client
 * left) stops the generation at once.
 */
@FunctionalInterface
public interface TokenSink {

    /** A piece of the answer, whole characters only. */
    void text(String piece);
}
