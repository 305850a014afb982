package io.modeld.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modeld.testing.AgentModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each family's output, as llama.cpp's own tests write it, parsed whole and streamed: fed one character at a
 * time and cut in two at every character, the pieces of answer, reasoning and tool calls the parser hands on
 * add up to what the whole output parses to, and that is the expected message.
 */
class ChatOutputParsingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOL = "[{\"type\":\"function\",\"function\":{\"name\":\"special_function\","
            + "\"description\":\"I'm special\",\"parameters\":{\"type\":\"object\",\"properties\":{\"arg1\":"
            + "{\"type\":\"integer\",\"description\":\"The arg.\"}},\"required\":[\"arg1\"]}}}]";
    private static final String HELLO = "Hello, world!\nWhat's up?";
    private static final String ARGS = "{\"arg1\":1}";

    /** A template, what a model with it said, and what that says: answer, reasoning, calls (name → arguments). */
    record Case(String template, String output, String content, String reasoning, Map<String, String> calls) {
        @Override
        public String toString() {
            return template;
        }
    }

    static Stream<Case> families() {
        return Stream.of(
                new Case("NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", HELLO + "<tool_call>\n"
                        + "{\"name\": \"special_function\", \"arguments\": {\"arg1\": 1}}</tool_call>", HELLO, "",
                        Map.of("special_function", ARGS)),
                new Case("Qwen-Qwen3-0.6B", "<think>I'm\nthinking</think>" + HELLO, HELLO, "I'm\nthinking", Map.of()),
                new Case("Qwen3-Coder", "<tool_call>\n<function=special_function>\n<parameter=arg1>\n1\n</parameter>\n"
                        + "</function>\n</tool_call>", "", "", Map.of("special_function", ARGS)),
                new Case("meta-llama-Llama-3.1-8B-Instruct",
                        "{\"name\": \"special_function\", \"parameters\": {\"arg1\": 1}}", "", "",
                        Map.of("special_function", ARGS)),
                new Case("mistralai-Mistral-Nemo-Instruct-2407", "[TOOL_CALLS][{\"name\": \"special_function\", "
                        + "\"arguments\": {\"arg1\": 1}, \"id\": \"123456789\"}]", "", "",
                        Map.of("special_function", ARGS)),
                new Case("mistralai-Ministral-3-14B-Reasoning-2512", "[TOOL_CALLS]special_function[ARGS]{\"arg1\":1}",
                        "", "", Map.of("special_function", ARGS)),
                new Case("openai-gpt-oss-120b", "<|channel|>analysis<|message|>I'm\nthinking<|end|><|start|>assistant"
                        + "<|channel|>final<|message|>" + HELLO, HELLO, "I'm\nthinking", Map.of()),
                new Case("openai-gpt-oss-120b", "<|channel|>commentary to=functions.special_function <|constrain|>json"
                        + "<|message|>{\"arg1\": 1}", "", "", Map.of("special_function", ARGS)),
                new Case("llama-cpp-deepseek-r1", "I'm\nthinking</think>" + HELLO, HELLO, "I'm\nthinking", Map.of()),
                new Case("llama-cpp-deepseek-r1", "</think><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function"
                        + "<｜tool▁sep｜>special_function\n```json\n{\"arg1\": 1}```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
                        "", "", Map.of("special_function", ARGS)),
                new Case("ibm-granite-granite-3.3-2B-Instruct", "<think>I'm\nthinking</think>" + HELLO, HELLO,
                        "I'm\nthinking", Map.of()),
                new Case("CohereForAI-c4ai-command-r7b-12-2024-tool_use", "<|START_THINKING|>I'm\nthinking"
                        + "<|END_THINKING|><|START_ACTION|>[\n    {\"tool_call_id\": \"0\", \"tool_name\": "
                        + "\"special_function\", \"parameters\": {\"arg1\": 1}}\n]<|END_ACTION|>", "", "I'm\nthinking",
                        Map.of("special_function", ARGS)),
                new Case("meetkai-functionary-medium-v3.2", "special_function\n{\"arg1\": 1}", "", "",
                        Map.of("special_function", ARGS)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void streamed_in_any_pieces_the_output_parses_as_it_does_whole(Case c) throws Exception {
        ChatLayer layer = EngineTest.engine().chat();
        assertThat(layer).as("the chat layer is built beside llama.cpp").isNotNull();
        String applied;
        try (ChatTemplates templates = layer.templates(AgentModels.template(c.template()), "<s>", "</s>")) {
            applied = templates.apply("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"tools\":" + TOOL + "}")
                    .toString();
        }
        Parsed whole = feed(layer, applied, List.of(c.output()));
        // stripped, as llama.cpp's own tests compare: a template whose prompt ends "<think>\n" leaves that newline
        assertThat(whole.content.strip()).as("answer of %s", whole).isEqualTo(c.content());
        assertThat(whole.reasoning.strip()).as("reasoning of %s", whole).isEqualTo(c.reasoning());
        assertThat(whole.calls()).as("calls").isEqualTo(c.calls());

        List<String> chars = c.output().codePoints().mapToObj(Character::toString).toList();
        assertThat(feed(layer, applied, chars)).as("one character at a time").isEqualTo(whole);
        for (int cut = 1; cut < chars.size(); cut++) {
            String head = String.join("", chars.subList(0, cut));
            String tail = String.join("", chars.subList(cut, chars.size()));
            assertThat(feed(layer, applied, List.of(head, tail))).as("cut after %s", head).isEqualTo(whole);
        }
    }

    /** What the diffs of a generation add up to. */
    record Parsed(String content, String reasoning, Map<Integer, String> names, Map<Integer, String> arguments) {
        Map<String, String> calls() throws Exception {
            Map<String, String> calls = new TreeMap<>();
            for (var e : names.entrySet()) {
                calls.put(e.getValue(), JSON.readTree(arguments.get(e.getKey())).toString());
            }
            return calls;
        }
    }

    private static Parsed feed(ChatLayer layer, String applied, List<String> pieces) throws EngineException {
        StringBuilder content = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        Map<Integer, String> names = new TreeMap<>();
        Map<Integer, StringBuilder> arguments = new TreeMap<>();
        try (ChatParser parser = layer.parser(applied, true, true)) {
            List<JsonNode> results = new ArrayList<>();
            for (String piece : pieces) {
                results.add(parser.add(piece, true));
            }
            results.add(parser.add("", false));
            for (JsonNode r : results) {
                for (JsonNode d : r.path("diffs")) {
                    content.append(d.path("content").asText());
                    reasoning.append(d.path("reasoning").asText());
                    int index = d.path("index").asInt(-1);
                    if (index >= 0) {
                        if (!d.path("name").asText().isEmpty()) {
                            names.put(index, d.path("name").asText());
                        }
                        arguments.computeIfAbsent(index, i -> new StringBuilder()).append(d.path("arguments").asText());
                    }
                }
            }
        }
        Map<Integer, String> args = new TreeMap<>();
        arguments.forEach((i, b) -> args.put(i, b.toString()));
        return new Parsed(content.toString(), reasoning.toString(), names, args);
    }
}
