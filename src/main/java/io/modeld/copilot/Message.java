package io.modeld.copilot;

import java.time.Instant;

/**
 * One message of a conversation: its place in it (from 0), who said it, its text and, for an answer, the
 * model that gave it (its id; null otherwise).
 */
public record Message(String id, String conversation, int position, Role role, String text, String model,
                      Instant created, Instant updated) {
}
