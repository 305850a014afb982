package io.modeld.copilot;

import io.modeld.ModeldException;
import io.modeld.engine.ChatTurn;

/** Who said a message, as the Pieces SDKs spell it ({@code QGPTConversationMessageRoleEnum}). */
public enum Role {
    USER(ChatTurn.Role.USER), ASSISTANT(ChatTurn.Role.ASSISTANT), SYSTEM(ChatTurn.Role.SYSTEM);

    private final ChatTurn.Role turn;

    Role(ChatTurn.Role turn) {
        this.turn = turn;
    }

    /** The turn of a chat this message is when a conversation is given to a model again. */
    public ChatTurn.Role turn() {
        return turn;
    }

    /** The role a client names (USER, ASSISTANT, SYSTEM); INVALID otherwise. */
    public static Role parse(String wire) {
        for (Role r : values()) {
            if (r.name().equals(wire)) {
                return r;
            }
        }
        throw ModeldException.invalid("role: USER, ASSISTANT or SYSTEM, not " + (wire == null ? "nothing" : "'" + wire + "'"));
    }
}
