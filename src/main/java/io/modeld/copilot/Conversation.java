package io.modeld.copilot;

import java.time.Instant;
import java.util.List;

/**
 * A conversation: its name (null until given), the model it was last asked with (its id, or null), and the
 * ids of its messages in order (a message's place is its index). The texts stay in the store.
 */
public record Conversation(String id, String name, String model, Instant created, Instant updated,
                           List<String> messages) {

    public Conversation {
        messages = List.copyOf(messages);
    }
}
