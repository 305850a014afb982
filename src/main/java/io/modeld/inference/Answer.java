package io.modeld.inference;

import io.modeld.engine.ChatTurn;
import java.util.ArrayList;
import java.util.List;

/**
 * A generation's output gathered whole: the answer's text, the reasoning, and each tool call put together
 * from its pieces. What a door answers with when it does not stream, and what a stream keeps to close with.
 */
public final class Answer implements TokenSink {

    private final java.util.function.BooleanSupplier clientGone;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder thinking = new StringBuilder();
    private final List<Call> calls = new ArrayList<>();

    private static final class Call {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    public Answer() {
        this(() -> false);
    }

    /**
     * An answer whose client may leave before it is written ({@code clientGone}): the generation stops as soon
     * as one of its pieces comes after that, as a stream's does when its write fails.
     */
    public Answer(java.util.function.BooleanSupplier clientGone) {
        this.clientGone = clientGone;
    }

    private void stillWanted() {
        if (clientGone.getAsBoolean()) {
            throw new java.io.UncheckedIOException("the client left",
                    new java.nio.channels.ClosedChannelException());
        }
    }

    @Override
    public void started(int promptTokens, int cachedTokens) {
        stillWanted();
    }

    @Override
    public void waiting() {
        stillWanted();
    }

    @Override
    public void text(String piece) {
        stillWanted();
        text.append(piece);
    }

    @Override
    public void thinking(String piece) {
        stillWanted();
        thinking.append(piece);
    }

    @Override
    public void toolCall(ToolCallDelta d) {
        stillWanted();
        while (calls.size() <= d.index()) {
            calls.add(new Call());
        }
        Call c = calls.get(d.index());
        if (d.id() != null) {
            c.id = d.id();
        }
        if (d.name() != null) {
            c.name = d.name();
        }
        c.arguments.append(d.arguments() == null ? "" : d.arguments());
    }

    public String text() {
        return text.toString();
    }

    public String thinking() {
        return thinking.toString();
    }

    /** The calls the model made, in order, their arguments as JSON text ({@code {}} when it gave none). */
    public List<ChatTurn.ToolCall> toolCalls() {
        return calls.stream().map(c -> new ChatTurn.ToolCall(c.id, c.name,
                c.arguments.isEmpty() ? "{}" : c.arguments.toString())).toList();
    }
}
