package io.modeld.inference;

import io.modeld.engine.ChatRequest;
import io.modeld.engine.ChatTurn;
import java.util.List;

/** What a generation starts from: a conversation the model's template formats, or text given as it is. */
public sealed interface Prompt {

    /**
     * A conversation, with its tools and thinking, formatted by the model's own chat template; the model's
     * system prompt goes first when none is given.
     */
    record Chat(ChatRequest chat) implements Prompt {
        @Override
        public long length() {
            long n = chat.tools() == null ? 0 : chat.tools().toString().length();
            for (ChatTurn t : chat.messages()) {
                n += length(t.content()) + length(t.reasoning());
                for (ChatTurn.ToolCall c : t.toolCalls()) {
                    n += length(c.name()) + length(c.arguments());
                }
            }
            return n;
        }

        private static long length(String s) {
            return s == null ? 0 : s.length();
        }
    }

    /** Plain messages, no tools. */
    static Prompt chat(List<ChatTurn> messages) {
        return new Chat(ChatRequest.of(messages));
    }

    /**
     * Text completed as it is (no template); with a {@code suffix}, the gap between them is filled with
     * the model's fill-in-the-middle tokens.
     */
    record Text(String prompt, String suffix) implements Prompt {
        @Override
        public long length() {
            return (prompt == null ? 0 : prompt.length()) + (suffix == null ? 0 : suffix.length());
        }
    }

    /** The characters the model is given: what tokenizing costs, before the template adds its few. */
    long length();
}
