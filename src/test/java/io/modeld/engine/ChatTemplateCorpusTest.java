package io.modeld.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.AgentModels;
import io.modeld.testing.TemplateRenders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * llama.cpp's corpus of real chat templates (models/templates of the release modeld bundles), each rendered
 * by modeld as llama-server renders it: the expected prompts in src/test/resources/chat-templates were
 * written by llama-server itself (tools/template-renders.sh), for a plain four-turn chat, a tool round trip
 * and the plain chat with thinking off. Where llama-server refused a conversation (a template that raises
 * on it), modeld refuses it too.
 */
class ChatTemplateCorpusTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNode TOOLS = json("[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"The weather in a city\",\"parameters\":{\"type\":\"object\",\"properties\":"
            + "{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]");

    static Stream<String> templates() throws IOException {
        try (Stream<Path> files = Files.list(AgentModels.TEMPLATES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jinja"))
                    .map(n -> n.substring(0, n.length() - ".jinja".length())).sorted().toList().stream();
        }
    }

    /** The four-turn chat the renders were made of. */
    static ChatRequest plain() {
        return ChatRequest.of(List.of(new ChatTurn(ChatTurn.Role.SYSTEM, "You are a helpful assistant."),
                new ChatTurn(ChatTurn.Role.USER, "Hello!"),
                new ChatTurn(ChatTurn.Role.ASSISTANT, "Hi there. How can I help?"),
                new ChatTurn(ChatTurn.Role.USER, "What is 2+2?")));
    }

    /** A tool round trip: the call, its result, and the user's next word. */
    static ChatRequest trip() {
        List<ChatTurn> turns = List.of(new ChatTurn(ChatTurn.Role.SYSTEM, "You are a helpful assistant."),
                new ChatTurn(ChatTurn.Role.USER, "Weather in Paris?"),
                new ChatTurn(ChatTurn.Role.ASSISTANT, "", null,
                        List.of(new ChatTurn.ToolCall("call_1", "get_weather", "{\"city\": \"Paris\"}")), null, null),
                new ChatTurn(ChatTurn.Role.TOOL, "{\"temperature\": 21}", null, List.of(), "call_1", "get_weather"),
                new ChatTurn(ChatTurn.Role.USER, "Thanks!"));
        return new ChatRequest(turns, TOOLS, null, null, null, null, null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void renders_as_llama_server_does(String name, @TempDir Path dir) throws Exception {
        // as a model brings it: in its GGUF, with the vocabulary llama-server had (BOS <s> added by the tokenizer)
        Path file = dir.resolve("model.gguf");
        TinyLlama.TINY.write(file, 1, AgentModels.template(name));
        try (LlamaModel model = EngineTest.engine().loadModel(List.of(file));
             ChatTemplates templates = EngineTest.engine().chat().templates(model)) {
            ChatRequest plain = plain();
            ChatRequest nothink = new ChatRequest(plain.messages(), null, null, null, null, null,
                    Map.of("enable_thinking", JSON.getNodeFactory().booleanNode(false)));
            check(templates, name, "plain", plain);
            check(templates, name, "tools", trip());
            check(templates, name, "nothink", nothink);
        }
    }

    @org.junit.jupiter.api.Test
    void templates_see_the_pinned_clock_not_the_machines() throws Exception {
        // what makes the comparison independent of the day: both sides render at the pom's modeld.chat.clock
        String instant = System.getenv(ChatLayer.PINNED_CLOCK);
        assertThat(instant).as("surefire sets " + ChatLayer.PINNED_CLOCK).isNotBlank();
        String day = java.time.format.DateTimeFormatter.ofPattern("dd MMM yyyy HH", java.util.Locale.ENGLISH)
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.parse(instant));
        try (ChatTemplates t = EngineTest.engine().chat().templates(
                "{{ strftime_now('%d %b %Y %H') }}|{{ date_string }}", "<s>", "</s>")) {
            assertThat(t.apply("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").get("prompt").asText())
                    .isEqualTo(day + "|" + day.substring(0, 11));
        }
    }

    private static void check(ChatTemplates templates, String name, String kase, ChatRequest request) throws Exception {
        Path expected = TemplateRenders.DIR.resolve(name + "." + kase + ".txt");
        if (Files.exists(TemplateRenders.DIR.resolve(name + "." + kase + ".error"))) {
            assertThatThrownBy(() -> TemplatedChat.render(templates, request))
                    .as("llama-server refused %s %s", name, kase).isInstanceOf(EngineException.class);
            return;
        }
        assertThat(expected).as("a render by llama-server").exists();
        assertThat(TemplatedChat.render(templates, request)).as("%s, %s", name, kase).isEqualTo(TemplateRenders.expected(expected));
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
