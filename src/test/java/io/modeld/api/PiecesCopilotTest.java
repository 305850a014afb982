package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.ScriptedLlama;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.AgentModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.SocketFrames;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pieces Copilot through its WebSockets, as the Pieces SDKs' client uses them: a question on {@code
 * /qgpt/stream} starts a conversation that {@code /conversations/stream/identifiers} announces before the
 * first piece of the answer; the frames come in order; a follow-up is answered with the first exchange in
 * its prompt; a stopped answer is kept as far as it went; a bad model is a FAILED frame that changes
 * nothing and leaves the socket usable; conversations survive a restart and go when deleted.
 */
class PiecesCopilotTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    private String hello() throws Exception {
        return AgentModels.hello(daemon, files, "hello");
    }

    private static String question(String conversation, String model, String query) {
        ObjectNode in = Json.MAPPER.createObjectNode();
        if (conversation != null) {
            in.put("conversation", conversation);
        }
        ObjectNode relevance = in.putObject("relevance").put("query", query).put("model", model);
        relevance.putObject("options").put("question", true);
        return in.toString();
    }

    /** The frames of one answer, its terminal frame last. */
    private static List<SocketFrames.Frame> answer(SocketFrames qgpt) {
        List<SocketFrames.Frame> frames = new ArrayList<>();
        while (true) {
            SocketFrames.Frame f = qgpt.next(60);
            frames.add(f);
            if (!f.json().path("status").asText().equals("IN-PROGRESS")) {
                return frames;
            }
        }
    }

    private static String text(List<SocketFrames.Frame> frames) {
        StringBuilder all = new StringBuilder();
        for (SocketFrames.Frame f : frames) {
            for (JsonNode a : f.json().path("question").path("answers").path("iterable")) {
                all.append(a.get("text").asText());
            }
        }
        return all.toString();
    }

    /** The prompt of each answer in the conversation, in tokens, as the daemon's log tells them. */
    private List<Integer> promptTokens(String conversation) {
        Pattern p = Pattern.compile("conversation " + conversation + ": .* from a prompt of (\\d+) tokens");
        List<Integer> found = new ArrayList<>();
        for (JsonNode line : TestDaemon.ok(daemon.get("/logs?lines=1000")).path("lines")) {
            Matcher m = p.matcher(line.asText());
            if (m.find()) {
                found.add(Integer.parseInt(m.group(1)));
            }
        }
        return found;
    }

    @Test
    void a_question_starts_a_conversation_announced_before_its_answer_and_a_follow_up_sees_the_first_exchange()
            throws Exception {
        String model = hello();
        try (SocketFrames ids = SocketFrames.open(daemon.port(), "/conversations/stream/identifiers");
             SocketFrames qgpt = SocketFrames.open(daemon.port(), "/qgpt/stream")) {
            assertThat(ids.next(10).json().get("iterable")).as("the first frame, which the SDK waits for").isEmpty();

            qgpt.send(question(null, model, "hi"));
            List<SocketFrames.Frame> first = answer(qgpt);
            JsonNode done = first.get(first.size() - 1).json();
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.has("question")).as("the terminal frame adds no text").isFalse();
            String conversation = done.get("conversation").asText();
            assertThat(conversation).isNotEmpty();
            assertThat(first.size()).as("one frame a piece").isGreaterThan(2);
            for (SocketFrames.Frame f : first.subList(0, first.size() - 1)) {
                JsonNode a = f.json().path("question").path("answers").path("iterable").get(0);
                assertThat(f.json().get("conversation").asText()).isEqualTo(conversation);
                assertThat(a.get("score").isNumber()).as("score is required").isTrue();
            }
            assertThat(text(first)).isEqualTo("Hello, world!");

            SocketFrames.Frame announced = ids.next(10);
            assertThat(announced.json().at("/iterable/0/conversation/id").asText()).isEqualTo(conversation);
            assertThat(announced.nanos()).as("announced before the first piece").isLessThan(first.get(0).nanos());

            JsonNode c = TestDaemon.ok(daemon.get("/conversation/" + conversation));
            assertThat(c.get("type").asText()).isEqualTo("COPILOT");
            assertThat(c.get("name").asText()).isEqualTo("hi");
            assertThat(c.at("/model/id").asText()).isEqualTo(model);
            assertThat(c.at("/created/value").asText()).endsWith("Z");
            JsonNode messages = c.get("messages");
            assertThat(messages.get("iterable")).hasSize(2);
            String asked = messages.at("/iterable/0/id").asText();
            String answered = messages.at("/iterable/1/id").asText();
            assertThat(messages.at("/indices/" + asked).asInt()).isZero();
            assertThat(messages.at("/indices/" + answered).asInt()).isEqualTo(1);
            JsonNode q = TestDaemon.ok(daemon.get("/message/" + asked + "?transferables=true"));
            assertThat(q.get("role").asText()).isEqualTo("USER");
            assertThat(q.at("/fragment/string/raw").asText()).isEqualTo("hi");
            assertThat(q.at("/conversation/id").asText()).isEqualTo(conversation);
            JsonNode a = TestDaemon.ok(daemon.get("/message/" + answered + "?transferables=true"));
            assertThat(a.get("role").asText()).isEqualTo("ASSISTANT");
            assertThat(a.at("/fragment/string/raw").asText()).isEqualTo("Hello, world!");

            qgpt.send(question(conversation, model, "and again?"));
            List<SocketFrames.Frame> second = answer(qgpt);
            assertThat(second.get(second.size() - 1).json().get("status").asText()).isEqualTo("COMPLETED");
            assertThat(second.get(0).json().get("conversation").asText()).isEqualTo(conversation);
            assertThat(TestDaemon.ok(daemon.get("/conversation/" + conversation)).at("/messages/iterable")).hasSize(4);

            // The follow-up's prompt is the whole conversation: as many tokens as /v1 counts for it given whole.
            ObjectNode whole = Json.MAPPER.createObjectNode().put("model", model).put("max_tokens", 1);
            whole.putArray("messages")
                    .add(Json.MAPPER.createObjectNode().put("role", "user").put("content", "hi"))
                    .add(Json.MAPPER.createObjectNode().put("role", "assistant").put("content", "Hello, world!"))
                    .add(Json.MAPPER.createObjectNode().put("role", "user").put("content", "and again?"));
            int expected = TestDaemon.ok(daemon.post("/v1/chat/completions", whole)).at("/usage/prompt_tokens").asInt();
            List<Integer> prompts = promptTokens(conversation);
            assertThat(prompts).as("the log tells each answer's prompt").hasSize(2);
            assertThat(prompts.get(1)).isEqualTo(expected).isGreaterThan(prompts.get(0));

            assertThat(qgpt.closedByServer()).isFalse();
        }
    }

    @Test
    void a_bad_model_fails_changing_nothing_and_the_socket_answers_the_next_question() throws Exception {
        String model = hello();
        try (SocketFrames qgpt = SocketFrames.open(daemon.port(), "/qgpt/stream")) {
            qgpt.send(question(null, "00000000-0000-0000-0000-000000000000", "hi"));
            JsonNode failed = qgpt.next(30).json();
            assertThat(failed.get("status").asText()).isEqualTo("FAILED");
            assertThat(failed.get("statusCode").asInt()).isEqualTo(410);
            assertThat(failed.get("errorMessage").asText()).contains("not found");
            assertThat(failed.has("conversation")).as("every frame names a conversation").isTrue();
            assertThat(TestDaemon.ok(daemon.get("/conversations")).get("iterable")).as("none created").isEmpty();

            qgpt.send("{not json");
            assertThat(qgpt.next(30).json().get("statusCode").asInt()).isEqualTo(400);

            qgpt.send(question(null, model, "hi"));
            List<SocketFrames.Frame> frames = answer(qgpt);
            assertThat(frames.get(frames.size() - 1).json().get("status").asText()).isEqualTo("COMPLETED");
            assertThat(text(frames)).isEqualTo("Hello, world!");
            assertThat(TestDaemon.ok(daemon.get("/conversations")).get("iterable")).hasSize(1);
        }
    }

    @Test
    void a_stopped_answer_is_kept_as_far_as_it_went_and_conversations_outlive_a_restart_until_deleted()
            throws Exception {
        Path file = files.resolve("chatter.gguf");
        new ScriptedLlama(TinyLlama.CHATML, List.of(), "\n", List.of("tick", " ", "tock", "!"), null, List.of())
                .writeLooping(file);
        String model = Downloading.downloaded(daemon, file, "chatter");
        String conversation;
        String said;
        try (SocketFrames qgpt = SocketFrames.open(daemon.port(), "/qgpt/stream")) {
            qgpt.send(question(null, model, "talk"));
            List<SocketFrames.Frame> frames = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                frames.add(qgpt.next(60));
            }
            qgpt.send("{\"stop\": true}");
            frames.addAll(answer(qgpt));
            JsonNode last = frames.get(frames.size() - 1).json();
            assertThat(last.get("status").asText()).isEqualTo("STOPPED");
            conversation = last.get("conversation").asText();
            said = text(frames);
            assertThat(said).startsWith("tick tock!tick tock!");
            assertThat(qgpt.poll(500)).as("nothing after the terminal frame").isNull();
        }
        JsonNode c = TestDaemon.ok(daemon.get("/conversation/" + conversation));
        String answerId = c.at("/messages/iterable/1/id").asText();
        assertThat(TestDaemon.ok(daemon.get("/message/" + answerId)).at("/fragment/string/raw").asText())
                .as("what the client saw, no more, no less").isEqualTo(said);

        daemon.restart();
        JsonNode after = TestDaemon.ok(daemon.get("/conversation/" + conversation));
        assertThat(after.get("messages")).isEqualTo(c.get("messages"));
        assertThat(TestDaemon.ok(daemon.get("/message/" + answerId)).at("/fragment/string/raw").asText()).isEqualTo(said);

        try (SocketFrames ids = SocketFrames.open(daemon.port(), "/conversations/stream/identifiers")) {
            assertThat(ids.next(10).json().at("/iterable/0/conversation/id").asText()).isEqualTo(conversation);
            assertThat(daemon.post("/conversations/" + conversation + "/delete", (String) null).statusCode())
                    .isEqualTo(204);
            JsonNode gone = ids.next(10).json().at("/iterable/0");
            assertThat(gone.at("/conversation/id").asText()).isEqualTo(conversation);
            assertThat(gone.get("deleted").asBoolean()).isTrue();
        }
        assertThat(daemon.get("/conversation/" + conversation).statusCode()).isEqualTo(404);
        assertThat(daemon.get("/message/" + answerId).statusCode()).isEqualTo(404);
        assertThat(TestDaemon.ok(daemon.get("/conversations")).get("iterable")).isEmpty();
    }
}
