package io.modeld.engine;

/** One message of a conversation: its role (system, user, assistant, tool) and its text. */
public record ChatTurn(String role, String content) {
}
