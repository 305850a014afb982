package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.gguf.ScriptedLlama;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several requests on one model at once, in its slots (real llama.cpp, continuous batching): while one
 * endless generation streams, four more — a JSON-schema grammar, a stop string, a token limit, a plain one —
 * run beside it and end with their own settings honoured and exact token counts; with one slot they would
 * wait for ever. The endless one's client leaves, and its slot is free at once.
 */
class ParallelSlotsTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    /**
     * A model that says "Hello, world!" in four tokens, whatever it is asked; a context of 32768 tokens a slot,
     * so that the endless generation outlasts the others by far.
     */
    private void hello() throws Exception {
        Path file = files.resolve("hello.gguf");
        new ScriptedLlama(io.modeld.gguf.TinyLlama.CHATML, List.of(), "\n", List.of("Hello", ", ", "world", "!"),
                null, List.of()).write(file);
        Downloading.downloaded(daemon, file, "hello", Json.MAPPER.createObjectNode().put("context", 32768));
    }

    @Test
    void four_requests_run_beside_an_endless_one_and_its_client_leaving_frees_its_slot() throws Exception {
        hello();
        try (Socket endless = new Socket("127.0.0.1", daemon.port())) {
            String body = "{\"model\":\"hello\",\"stream\":true,\"max_tokens\":131072,\"ignore_eos\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Go on\"}]}";
            OutputStream out = endless.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(endless.getInputStream(), StandardCharsets.UTF_8));
            int chunks = 0;
            while (chunks < 20) {
                String line = in.readLine();
                assertThat(line).as("the endless answer streams").isNotNull();
                if (line.startsWith("data: {")) {
                    chunks++;
                }
            }
            assertThat(busySlots()).isEqualTo(1);

            var grammar = chat("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":"
                    + "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}}},"
                    + "\"max_tokens\":200");
            var stop = chat("\"stop\":[\", \"]");
            var limited = chat("\"max_tokens\":3,\"ignore_eos\":true");
            var plain = chat("\"seed\":7");
            CompletableFuture.allOf(grammar, stop, limited, plain).get(60, TimeUnit.SECONDS);

            JsonNode g = grammar.get();
            assertThat(Json.MAPPER.readTree(text(g)).get("ok").isBoolean()).as(text(g)).isTrue();
            assertThat(text(stop.get())).isEqualTo("Hello");
            assertThat(finish(stop.get())).isEqualTo("stop");
            assertThat(tokens(stop.get())).as("the stop string's token counts").isEqualTo(2);
            assertThat(tokens(limited.get())).isEqualTo(3);
            assertThat(finish(limited.get())).isEqualTo("length");
            assertThat(text(plain.get())).isEqualTo("Hello, world!");
            assertThat(tokens(plain.get())).isEqualTo(4);
            assertThat(finish(plain.get())).isEqualTo("stop");
            String next;
            do {
                next = in.readLine();
            } while (next != null && !next.startsWith("data: {"));
            assertThat(next).as("the endless one still streams").isNotNull();
            assertThat(busySlots()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> busySlots() == 0);
        JsonNode loaded = ok(daemon.get("/memory")).get("loaded").get(0);
        assertThat(loaded.get("slots").asInt()).isEqualTo(4);
    }

    @Test
    void a_follow_up_turn_evaluates_only_its_new_tokens() throws Exception {
        hello();
        String first = "{\"role\":\"user\",\"content\":\"Hi\"}";
        JsonNode one = ok(daemon.post("/v1/chat/completions", "{\"model\":\"hello\",\"messages\":[" + first + "]}"));
        int p1 = one.get("usage").get("prompt_tokens").asInt();
        assertThat(one.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt()).isZero();
        String history = "[" + first + ",{\"role\":\"assistant\",\"content\":\"Hello, world!\"},"
                + "{\"role\":\"user\",\"content\":\"Again\"}]";
        JsonNode two = ok(daemon.post("/v1/chat/completions", "{\"model\":\"hello\",\"messages\":" + history + "}"));
        assertThat(two.get("usage").get("prompt_tokens").asInt()).isGreaterThan(p1);
        assertThat(two.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt())
                .as("the whole first prompt came from the slot's cache").isEqualTo(p1);
        // Ollama's prompt_eval_count counts what was evaluated: the same conversation again, one token
        JsonNode three = ok(daemon.post("/api/chat", "{\"model\":\"hello\",\"stream\":false,\"messages\":"
                + history + "}"));
        assertThat(three.get("prompt_eval_count").asInt()).isEqualTo(1);
        assertThat(three.get("message").get("content").asText()).isEqualTo("Hello, world!");
    }

    private CompletableFuture<JsonNode> chat(String settings) {
        String body = "{\"model\":\"hello\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + settings + "}";
        return CompletableFuture.supplyAsync(() -> ok(daemon.post("/v1/chat/completions", body)));
    }

    private int busySlots() {
        JsonNode loaded = ok(daemon.get("/memory")).get("loaded");
        return loaded.isEmpty() ? 0 : loaded.get(0).get("busySlots").asInt();
    }

    private static String text(JsonNode answer) {
        return answer.get("choices").get(0).get("message").get("content").asText();
    }

    private static String finish(JsonNode answer) {
        return answer.get("choices").get(0).get("finish_reason").asText();
    }

    private static int tokens(JsonNode answer) {
        return answer.get("usage").get("completion_tokens").asInt();
    }
}
