package io.modeld.copilot;

import java.time.Instant;
import java.util.List;

/** A conversation: its name (null until given), the model it was last asked with (its id, or null), its messages in order. */
public record Conversation(String id, String name, String model, Instant created, Instant updated, List<Message> messages) {

    public Conversation {
        messages = List.copyOf(messages);
    }
}
