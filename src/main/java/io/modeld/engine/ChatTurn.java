package io.modeld.engine;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** One message of a conversation: who says it, and its text. */
public record ChatTurn(Role role, String content) {

    /** Who speaks: as OpenAI, Ollama and the chat templates spell it, in lower case. */
    public enum Role {
        SYSTEM, USER, ASSISTANT, TOOL;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The role a client named ({@code developer} is OpenAI's newer word for system), or null when none. */
        @JsonCreator
        public static Role of(String name) {
            String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
            return switch (n) {
                case "system", "developer" -> SYSTEM;
                case "user" -> USER;
                case "assistant" -> ASSISTANT;
                case "tool" -> TOOL;
                default -> null;
            };
        }
    }
}
