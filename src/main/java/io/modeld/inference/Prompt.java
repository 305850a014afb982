package io.modeld.inference;

import io.modeld.engine.ChatTurn;
import java.util.List;

/** What a generation starts from: a conversation the model's template formats, or text given as it is. */
public sealed interface Prompt {

    /** Messages, formatted by the model's own chat template; the model's system prompt goes first when none is given. */
    record Chat(List<ChatTurn> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }
    }

    /**
     * Text completed as it is (no template); with a {@code suffix}, the gap between them is filled with
     * the model's fill-in-the-middle tokens.
     */
    record Text(String prompt, String suffix) implements Prompt {
    }
}
