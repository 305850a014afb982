package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One way through the runner (issue 30): a conversation and the very prompt its template renders, sent raw,
 * sample alike; and what makes the chat layer throw fails its one request while the other slots go on.
 */
class OnePipelineTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path dir;

    private void chatModel(String template) throws Exception {
        Path file = dir.resolve("m.gguf");
        TinyLlama.CHAT.write(file, 3, template);
        Downloading.downloaded(daemon, file, "m");
    }

    @Test
    void the_same_prompt_raw_and_as_a_conversation_gives_the_same_tokens() throws Exception {
        chatModel(TinyLlama.CHATML);
        String messages = "[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\"Hello\"}]";
        String prompt = ok(daemon.post("/apply-template", "{\"model\":\"m\",\"messages\":" + messages + "}"))
                .get("prompt").asText();
        String sampling = ",\"max_tokens\":40,\"ignore_eos\":true,\"seed\":7,\"temperature\":0.9,\"top_k\":30,"
                + "\"top_p\":0.95,\"presence_penalty\":0.5,\"frequency_penalty\":0.3}";
        ObjectNode raw = Json.MAPPER.createObjectNode().put("model", "m").put("prompt", prompt);
        JsonNode completion = ok(daemon.post("/v1/completions", raw.toString().replaceFirst("}$", "") + sampling));
        JsonNode chat = ok(daemon.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":" + messages + sampling));
        assertThat(chat.at("/usage/prompt_tokens").asInt()).isEqualTo(completion.at("/usage/prompt_tokens").asInt());
        assertThat(chat.at("/usage/completion_tokens").asInt()).isEqualTo(40);
        assertThat(chat.at("/choices/0/message/content").asText()).isNotEmpty()
                .isEqualTo(completion.at("/choices/0/text").asText());
    }

    @Test
    void a_template_that_raises_and_a_grammar_that_does_not_parse_fail_alone_while_another_slot_generates()
            throws Exception {
        chatModel("{%- for m in messages -%}{%- if m.content == 'boom' -%}{{ raise_exception('boom said') }}"
                + "{%- endif -%}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{%- endfor -%}"
                + "{%- if add_generation_prompt -%}<|im_start|>assistant\n{%- endif -%}");
        ok(daemon.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"warm\",\"max_tokens\":1}"));
        HttpRequest streamed = HttpRequest.newBuilder(daemon.uri("/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"m\",\"prompt\":\"Once\",\"max_tokens\":1500,\"ignore_eos\":true,\"stream\":true}"))
                .build();
        CompletableFuture<HttpResponse<String>> running = TestDaemon.client().sendAsync(streamed,
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await().until(() -> ok(daemon.get("/memory")).at("/loaded/0/busySlots").asInt() == 1);
        long runner = ok(daemon.get("/memory")).at("/loaded/0/pid").asLong();

        HttpResponse<String> raised = daemon.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"boom\"}]}");
        assertThat(raised.statusCode()).isEqualTo(400);
        assertThat(raised.body()).contains("boom said");
        HttpResponse<String> grammar = daemon.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\","
                + "\"grammar\":\"root ::= (\"}");
        assertThat(grammar.statusCode()).isEqualTo(400);
        assertThat(grammar.body()).contains("grammar");

        HttpResponse<String> done = running.get();
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).as("the other slot's answer ran to its end").contains("\"finish_reason\":\"length\"")
                .endsWith("data: [DONE]\n\n");
        assertThat(ok(daemon.get("/memory")).at("/loaded/0/pid").asLong()).as("the same runner serves on")
                .isEqualTo(runner);
    }
}
