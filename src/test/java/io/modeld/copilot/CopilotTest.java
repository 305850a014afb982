package io.modeld.copilot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modeld.ModeldException;
import io.modeld.runtime.RunnerFailure;
import io.modeld.testing.CoreFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copilot on fake runners and a real store, in milliseconds: what is kept of a question and its answer when
 * it goes well, when the client stops it, and when it fails.
 */
class CopilotTest {

    @TempDir
    Path root;
    private CoreFixture core;
    private Conversations conversations;
    private Copilot copilot;
    private String model;

    @BeforeEach
    void start() throws Exception {
        core = new CoreFixture(root, Clock.systemUTC(), 1L << 30, null);
        conversations = Conversations.open(root, Clock.systemUTC());
        copilot = new Copilot(core.inference(), conversations, new CopilotModel(core.models));
        model = core.model("chatter", 1);
        core.fakes.piece = "w ";
    }

    @AfterEach
    void stop() {
        conversations.close();
        core.close();
    }

    /** What the client of an answer saw: the conversation it was told, and the pieces. */
    private static final class Seen implements Copilot.Listener {
        Conversation conversation;
        final List<String> pieces = new ArrayList<>();

        @Override
        public void conversation(Conversation c) {
            conversation = c;
        }

        @Override
        public void text(String piece) {
            pieces.add(piece);
        }
    }

    @Test
    void a_question_and_its_answer_are_kept_and_a_follow_up_is_asked_with_the_history() {
        Seen seen = new Seen();
        Copilot.Reply reply = copilot.ask(new Copilot.Question(null, model, "hi"), seen, () -> false);
        assertThat(seen.conversation).isNotNull();
        List<Message> kept = conversations.history(reply.conversation().id());
        assertThat(kept).extracting(Message::role).containsExactly(Role.USER, Role.ASSISTANT);
        assertThat(kept.get(1).text()).isEqualTo(String.join("", seen.pieces));
        copilot.ask(new Copilot.Question(reply.conversation().id(), model, "more"), new Seen(), () -> false);
        assertThat(core.fakes.requests.get(1).chat().messages()).extracting(t -> t.content())
                .containsExactly("hi", kept.get(1).text(), "more");
    }

    @Test
    void a_stopped_answer_is_kept_as_far_as_the_client_saw_it() {
        Seen seen = new Seen();
        AtomicInteger asked = new AtomicInteger();
        Copilot.Reply reply = copilot.ask(new Copilot.Question(null, model, "talk"), seen, () -> asked.incrementAndGet() > 3);
        assertThat(reply.stopped()).isTrue();
        assertThat(seen.pieces).hasSize(3);
        List<Message> kept = conversations.history(reply.conversation().id());
        assertThat(kept.get(1).text()).isEqualTo("w w w ");
    }

    @Test
    void a_question_the_model_refuses_before_it_starts_changes_nothing() {
        core.fakes.generateFailure = new RunnerFailure(RunnerFailure.Kind.INPUT, "the prompt is too long");
        assertThatThrownBy(() -> copilot.ask(new Copilot.Question(null, model, "hi"), new Seen(), () -> false))
                .isInstanceOfSatisfying(ModeldException.class, e -> assertThat(e.kind())
                        .isEqualTo(ModeldException.Kind.INVALID));
        assertThat(conversations.list()).as("no conversation made, no question kept").isEmpty();
    }

    @Test
    void a_question_for_a_model_that_does_not_chat_changes_nothing_and_starts_nothing() {
        assertThatThrownBy(() -> copilot.ask(new Copilot.Question(null, "nobody", "hi"), new Seen(), () -> false))
                .isInstanceOf(ModeldException.class);
        assertThatThrownBy(() -> copilot.ask(new Copilot.Question(null, model, " "), new Seen(), () -> false))
                .hasMessageContaining("query");
        assertThat(conversations.list()).isEmpty();
        assertThat(core.fakes.started()).isEmpty();
    }
}
