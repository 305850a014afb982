package io.modeld.copilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelStore;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversations on a real SQLite store, in milliseconds: texts read from the store, and the caps. */
class ConversationsTest {

    @TempDir
    Path dir;

    private Conversations open(long maxTotal, int maxMessages) {
        ModelStore.open(dir).close();   // the tables, migrated
        return new Conversations(ConversationStore.open(dir), Clock.systemUTC(), maxTotal, maxMessages);
    }

    @Test
    void texts_are_read_from_the_store_after_a_restart_in_order() {
        String id;
        String second;
        try (Conversations c = open(1 << 20, 100)) {
            id = c.create("t", null).id();
            c.append(id, Role.USER, "first", null);
            second = c.append(id, Role.ASSISTANT, "second", "m").id();
        }
        try (Conversations c = open(1 << 20, 100)) {
            assertThat(c.get(id).messages()).hasSize(2).contains(second);
            assertThat(c.history(id)).extracting(Message::text).containsExactly("first", "second");
            assertThat(c.message(second).text()).isEqualTo("second");
            assertThat(c.message(second).position()).isEqualTo(1);
        }
    }

    @Test
    void a_message_past_the_total_is_507_and_changes_nothing_until_a_conversation_goes() {
        try (Conversations c = open(10, 100)) {
            String id = c.create("t", null).id();
            c.append(id, Role.USER, "12345678", null);
            assertThatThrownBy(() -> c.append(id, Role.ASSISTANT, "abc", null))
                    .isInstanceOfSatisfying(ModeldException.class, e -> assertThat(e.kind())
                            .isEqualTo(ModeldException.Kind.INSUFFICIENT_STORAGE))
                    .hasMessageContaining("delete conversations");
            assertThat(c.history(id)).hasSize(1);
            String other = c.create("u", null).id();
            c.delete(id);
            c.append(other, Role.USER, "abc", null);
            assertThat(c.history(other)).extracting(Message::text).containsExactly("abc");
        }
    }

    @Test
    void a_conversation_past_its_messages_and_a_message_past_its_length_are_413() {
        try (Conversations c = open(1 << 30, 2)) {
            String id = c.create("t", null).id();
            c.append(id, Role.USER, "a", null);
            c.append(id, Role.ASSISTANT, "b", null);
            assertThatThrownBy(() -> c.append(id, Role.USER, "c", null)).isInstanceOfSatisfying(ModeldException.class,
                    e -> assertThat(e.kind()).isEqualTo(ModeldException.Kind.TOO_LARGE)).hasMessageContaining("2 messages");
            String other = c.create("u", null).id();
            assertThatThrownBy(() -> c.append(other, Role.USER, "x".repeat(Conversations.MAX_TEXT + 1), null))
                    .isInstanceOfSatisfying(ModeldException.class, e -> assertThat(e.kind())
                            .isEqualTo(ModeldException.Kind.TOO_LARGE));
            assertThat(c.get(other).messages()).isEmpty();
        }
    }
}
