package io.modeld.copilot;

/** A conversation was created or changed (a message, a name), or deleted. */
public record ConversationChange(String id, boolean deleted) {
}
