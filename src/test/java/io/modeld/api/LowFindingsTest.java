package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.config.Config;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.Downloading;
import io.modeld.testing.SocketFrames;
import io.modeld.testing.TestDaemon;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The low findings of issue 29's probe, one test each (the refusal of link-local hosts is OutboundHostsTest's). */
class LowFindingsTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().parallel(1).build());
    @TempDir
    Path dir;

    @Test
    void a_non_streamed_generation_stops_when_its_client_leaves() throws Exception {
        // a model slow enough, with a context long enough, that the generation would take far longer than the
        // test waits (30,000 tokens at under 1,000 a second here)
        Path file = dir.resolve("long.gguf");
        new TinyLlama(256, 4, 1024, 4, 4, 32768).write(file, 1);
        Downloading.downloaded(daemon, file, "long", Json.MAPPER.createObjectNode().put("context", 32768));
        ok(daemon.post("/v1/completions", "{\"model\":\"long\",\"prompt\":\"Hi\",\"max_tokens\":1}"));
        String body = "{\"model\":\"long\",\"prompt\":\"Hi\",\"max_tokens\":30000,\"ignore_eos\":true}";
        try (Socket s = new Socket("127.0.0.1", daemon.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> busySlots() == 1);
        }
        // the one slot is free again long before 30,000 tokens, and the next request gets it
        await().atMost(Duration.ofSeconds(15)).until(() -> busySlots() == 0);
        assertThat(ok(daemon.post("/v1/completions", "{\"model\":\"long\",\"prompt\":\"Hi\",\"max_tokens\":2}"))
                .at("/usage/completion_tokens").asInt()).isPositive();
    }

    @Test
    void answers_that_follow_each_other_are_whole_though_the_connection_table_was_read_for_the_one_before()
            throws Exception {
        // each answer takes over a second, so the table is read while it runs; the next comes on a new connection
        // that an earlier reading of the table cannot hold, which must not count as its client gone
        Path file = dir.resolve("long.gguf");
        new TinyLlama(256, 4, 1024, 4, 4, 32768).write(file, 1);
        Downloading.downloaded(daemon, file, "long", Json.MAPPER.createObjectNode().put("context", 32768));
        String body = "{\"model\":\"long\",\"prompt\":\"Hi\",\"max_tokens\":1500,\"ignore_eos\":true}";
        for (int i = 0; i < 3; i++) {
            HttpClient client = HttpClient.newHttpClient(); // a connection of its own each time
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(daemon.uri("/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(r.body()).at("/usage/completion_tokens").asInt()).isEqualTo(1500);
        }
    }

    private int busySlots() {
        JsonNode loaded = ok(daemon.get("/memory")).get("loaded");
        return loaded.isEmpty() ? 0 : loaded.get(0).get("busySlots").asInt();
    }

    @Test
    void a_modelfile_parameter_no_request_could_use_is_refused_at_create_and_nothing_is_made() throws Exception {
        Path file = dir.resolve("base.gguf");
        TinyLlama.TINY.write(file, 1);
        Downloading.downloaded(daemon, file, "base");
        HttpResponse<String> hot = daemon.post("/api/create", "{\"model\":\"hot\",\"from\":\"base\",\"stream\":false,"
                + "\"parameters\":{\"temperature\":\"hot\"}}");
        assertThat(hot.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(hot.body()).get("error").asText()).contains("temperature").contains("hot");
        HttpResponse<String> far = daemon.post("/api/create", "{\"model\":\"far\",\"from\":\"base\",\"stream\":false,"
                + "\"parameters\":{\"top_p\":7}}");
        assertThat(far.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(far.body()).get("error").asText()).startsWith("parameters.top_p");
        assertThat(daemon.post("/api/show", "{\"model\":\"hot\"}").statusCode()).isEqualTo(404);
        // a Modelfile writes numbers as text: that stays fine
        ok(daemon.post("/api/create", "{\"model\":\"warm\",\"from\":\"base\",\"stream\":false,"
                + "\"parameters\":{\"temperature\":\"0.7\",\"stop\":[\"<|end|>\"]}}"));
        ok(daemon.post("/api/generate", "{\"model\":\"warm\",\"prompt\":\"Hi\",\"stream\":false,\"options\":"
                + "{\"num_predict\":2}}"));
    }

    @Test
    void chat_template_kwargs_cannot_replace_the_messages_or_the_tools() throws Exception {
        Path file = dir.resolve("base.gguf");
        TinyLlama.CHAT.write(file, 1);
        Downloading.downloaded(daemon, file, "base");
        for (String key : new String[] {"messages", "tools", "add_generation_prompt"}) {
            HttpResponse<String> r = daemon.post("/v1/chat/completions", "{\"model\":\"base\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"hi\"}],\"chat_template_kwargs\":{\"" + key + "\":[]}}");
            assertThat(r.statusCode()).as(key).isEqualTo(400);
            assertThat(r.body()).contains("chat_template_kwargs." + key);
        }
    }

    @Test
    void a_file_source_answers_alike_whether_the_file_is_missing_unreadable_or_no_model() throws Exception {
        Path secret = dir.resolve("secret.txt");
        java.nio.file.Files.writeString(secret, "a secret, no model");
        String missing = "{\"name\":\"a\",\"source\":{\"url\":\"" + dir.resolve("nothing.gguf").toUri() + "\"}}";
        String text = "{\"name\":\"b\",\"source\":{\"url\":\"" + secret.toUri() + "\"}}";
        String m = daemon.post("/models/create", missing).body();
        String t = daemon.post("/models/create", text).body();
        assertThat(m.replace("nothing.gguf", "X")).isEqualTo(t.replace("secret.txt", "X"));
        assertThat(t).doesNotContain("a secret").doesNotContain("magic");
    }

    @Test
    void a_push_progress_socket_of_a_model_never_pushed_says_unknown_and_stays_open() throws Exception {
        Path file = dir.resolve("base.gguf");
        TinyLlama.TINY.write(file, 1);
        String id = Downloading.downloaded(daemon, file, "base");
        try (SocketFrames frames = SocketFrames.open(daemon.port(), "/model/" + id + "/push/progress")) {
            assertThat(frames.next(10).json().get("status").asText()).isEqualTo("UNKNOWN");
        }
    }

    @Test
    void a_preflight_allows_put_and_the_ollama_port_names_no_server() throws Exception {
        try (TestDaemon both = TestDaemon.start(Config.forDataDir(dir.resolve("data")).toBuilder().ollamaPort(0)
                .allowedOrigins(java.util.List.of("http://app.example")).build())) {
            HttpResponse<String> pre = both.send(HttpRequest.newBuilder(both.uri("/settings"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://app.example")
                    .header("Access-Control-Request-Method", "PUT").build());
            assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("PUT");
        }
        // a daemon with Ollama's second port: neither port names Jetty
        int free;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            free = s.getLocalPort();
        }
        try (TestDaemon two = TestDaemon.start(Config.forDataDir(dir.resolve("data2")).toBuilder().ollamaPort(free)
                .build())) {
            HttpClient client = TestDaemon.client();
            for (int port : new int[] {two.port(), free}) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/version")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Server")).as("port " + port).isEmpty();
            }
        }
    }

    @Test
    void a_source_that_refuses_every_connection_fails_after_two_tries_in_words_that_tell_nothing_of_the_port()
            throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String id = Downloading.createModel(daemon, "refused", "http://127.0.0.1:" + closed + "/model.gguf", null, 1000);
        daemon.post("/model/" + id + "/download", "");
        // eight tries with backoff took 82 s; two take about one
        await().atMost(Duration.ofSeconds(20)).until(() -> !ok(daemon.get("/model/" + id)).get("downloading").asBoolean());
        try (SocketFrames frames = SocketFrames.open(daemon.port(), "/model/" + id + "/download/progress")) {
            JsonNode last = frames.next(10).json();
            assertThat(last.get("status").asText()).isEqualTo("FAILED");
            assertThat(last.get("error").asText()).contains("cannot reach 127.0.0.1:" + closed + " (no HTTP answer)")
                    .doesNotContainIgnoringCase("refused");
        }
    }
}
