package io.modeld.runtime;

/**
 * Where a generation's output goes as it comes, its parts apart: the answer's text, the model's
 * reasoning (what thinking models say before answering), and tool calls, each streamed in pieces (the
 * first piece of a call has its index, id and name; later ones add to its arguments). An output that
 * throws (its client left) stops the generation at once.
 */
public interface GenerationOutput {

    /**
     * The prompt fits and the generation has begun: {@code promptTokens} in all, {@code cachedTokens} of them
     * found in the cache. Before any piece of output.
     */
    default void started(int promptTokens, int cachedTokens) {
    }

    /**
     * Nothing has come for a second (a long prompt is being read): a chance to find that the client left, by
     * throwing, which stops the generation there and then.
     */
    default void waiting() {
    }

    /** A piece of the answer, whole characters only. */
    void text(String piece);

    /** A piece of the model's reasoning. */
    default void thinking(String piece) {
    }

    /** A piece of a tool call. */
    default void toolCall(ToolCallDelta delta) {
    }

    /**
     * A piece of a tool call: {@code index} says which call (0, 1, ... in the order the model made them);
     * {@code id} and {@code name} come with the call's first piece, {@code arguments} is the next piece of its
     * JSON arguments (possibly empty).
     */
    record ToolCallDelta(int index, String id, String name, String arguments) {
    }
}
