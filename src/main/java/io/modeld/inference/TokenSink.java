package io.modeld.inference;

import io.modeld.runtime.GenerationOutput;

/**
 * Where a generation's output goes, for a front door: each door's stream writer (server-sent events,
 * NDJSON lines, WebSocket frames) or a buffer for a plain JSON answer implements it. Text, reasoning and
 * tool calls come apart ({@link GenerationOutput}); a sink that throws (its client left) stops the
 * generation at once.
 */
@FunctionalInterface
public interface TokenSink extends GenerationOutput {
}
