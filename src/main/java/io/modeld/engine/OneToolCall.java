package io.modeld.engine;

import java.util.function.BooleanSupplier;

/**
 * The parts of an answer that may hold one tool call at most ({@code parallel_tool_calls: false}). The
 * template's grammar does not always end the output after the first call: with the Qwen3 template and a
 * named function, a scripted model went on to a second call in about one run of three (AgentClientsTest).
 * So the generation ends as soon as a second call begins ({@link #more}), and nothing after that point
 * reaches the client, neither the second call nor the text the parser gives back at the end.
 */
final class OneToolCall implements OutputSplitter.Parts {

    private final OutputSplitter.Parts parts;
    private volatile boolean more;

    OneToolCall(OutputSplitter.Parts parts) {
        this.parts = parts;
    }

    /** Ends the generation when a second call began, or when {@code abandon} says so. */
    BooleanSupplier or(BooleanSupplier abandon) {
        return () -> more || abandon.getAsBoolean();
    }

    @Override
    public void text(String piece) {
        if (!more) {
            parts.text(piece);
        }
    }

    @Override
    public void thinking(String piece) {
        if (!more) {
            parts.thinking(piece);
        }
    }

    @Override
    public void toolCall(int index, String id, String name, String arguments) {
        if (index > 0) {
            more = true;
        }
        if (!more) {
            parts.toolCall(index, id, name, arguments);
        }
    }
}
