package io.modeld.runtime;

import java.util.List;

/**
 * Text and its tokens in the loaded model's vocabulary, as a runner answers a tokenize or detokenize request:
 * the token ids, each one's piece of text (special tokens spelled out; a piece that is part of a character is
 * shown with U+FFFD), and the whole text.
 */
public record TokenText(int[] tokens, List<String> pieces, String content) implements RunnerMessages.Event {
}
