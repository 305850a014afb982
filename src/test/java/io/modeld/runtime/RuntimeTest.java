package io.modeld.runtime;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.config.Config;
import io.modeld.gguf.GgufWriter;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.DaemonProcess;
import io.modeld.testing.Downloading;
import io.modeld.testing.Runners;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real llama.cpp in real runner processes, driven over HTTP: what the scheduler's fake runners
 * ({@link SchedulerTest}) cannot show.
 */
class RuntimeTest {

    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dataDir;
    @TempDir
    Path files;
    TestDaemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    private JsonNode complete(String model, String prompt) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", model).put("prompt", prompt)
                .put("max_tokens", 8).put("seed", 1).put("ignore_eos", true);
        return ok(daemon.post("/v1/completions", body));
    }

    @Test
    void loads_generates_and_unloads_ending_the_runner() throws Exception {
        daemon = TestDaemon.start(dataDir);
        String id = Downloading.tinyModel(daemon, files, "tiny-a", 1);
        assertThat(Runners.running()).isEmpty();

        JsonNode loaded = ok(daemon.post("/model/" + id + "/load", ""));
        assertThat(loaded.get("loaded").asBoolean()).isTrue();
        assertThat(Runners.running()).hasSize(1);
        assertThat(ok(daemon.get("/model/" + id)).get("loaded").asBoolean()).isTrue();
        try (var libs = Files.list(dataDir.resolve("lib"))) {
            assertThat(libs.filter(d -> d.getFileName().toString().startsWith("jna-"))
                    .map(d -> d.resolve(System.mapLibraryName("jnidispatch"))).toList())
                    .as("JNA's stub, unpacked into the data dir rather than the system's temp dir")
                    .singleElement().satisfies(f -> assertThat(f).isRegularFile());
        }

        JsonNode completion = complete("tiny-a", "Hello");
        assertThat(completion.get("object").asText()).isEqualTo("text_completion");
        JsonNode usage = completion.get("usage");
        assertThat(usage.get("completion_tokens").asInt()).as("tokens, not pieces of text").isEqualTo(8);
        assertThat(usage.get("prompt_tokens").asInt()).as("BOS and the 6 bytes of '▁Hello'... by the tokenizer")
                .isEqualTo(9);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(17);
        assertThat(completion.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");

        JsonNode unloaded = ok(daemon.post("/model/" + id + "/unload", ""));
        assertThat(unloaded.get("loaded").asBoolean()).isFalse();
        assertThat(Runners.running()).isEmpty();
        // Unloading a model that is not loaded returns it unchanged.
        assertThat(ok(daemon.post("/model/" + id + "/unload", "")).get("loaded").asBoolean()).isFalse();
    }

    @Test
    void a_killed_runner_shows_the_model_unloaded_and_the_next_request_loads_it_again() throws Exception {
        daemon = TestDaemon.start(dataDir);
        String id = Downloading.tinyModel(daemon, files, "tiny-k", 2);
        ok(daemon.post("/model/" + id + "/load", ""));
        ProcessHandle runner = Runners.running().get(0);
        Runtime.getRuntime().exec(new String[] {"kill", "-9", String.valueOf(runner.pid())}).waitFor();
        await().atMost(WAIT).until(() -> !ok(daemon.get("/model/" + id)).get("loaded").asBoolean());

        assertThat(complete(id, "again").get("usage").get("completion_tokens").asInt()).isPositive();
        assertThat(ok(daemon.get("/model/" + id)).get("loaded").asBoolean()).isTrue();
        assertThat(Runners.running()).hasSize(1).doesNotContain(runner);
    }

    @Test
    void a_runner_that_dies_while_generating_is_a_503_not_the_clients_fault() throws Exception {
        daemon = TestDaemon.start(dataDir);
        Path file = files.resolve("dies.gguf");
        TinyLlama.SMALL.write(file, 14);   // about 40 tokens/s here: a long generation to die in
        String id = Downloading.downloaded(daemon, file, "dies");
        ok(daemon.post("/model/" + id + "/load", ""));
        ProcessHandle runner = Runners.running().get(0);
        var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> daemon.post("/v1/completions",
                "{\"model\": \"dies\", \"prompt\": \"Hi\", \"max_tokens\": 1500, \"ignore_eos\": true}"));
        Thread.sleep(1000);
        assertThat(pending).as("still generating").isNotDone();
        Runtime.getRuntime().exec(new String[] {"kill", "-9", String.valueOf(runner.pid())}).waitFor();
        HttpResponse<String> r = pending.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(r.body()).get("error").get("message").asText()).contains("killed by signal 9");
        assertThat(daemon.get("/.well-known/health").body()).isEqualTo("ok");
    }

    @Test
    void a_model_llama_cpp_rejects_fails_the_load_clearly_and_the_daemon_stays_healthy() throws Exception {
        daemon = TestDaemon.start(dataDir);
        Path broken = files.resolve("broken.gguf");
        new GgufWriter().string("general.architecture", "llama").u32("llama.context_length", 64)
                .u32("llama.embedding_length", 8).u32("llama.block_count", 1)
                .tensor("token_embd.weight", new long[] {8, 4}, i -> 0.0).write(broken);
        String id = Downloading.downloaded(daemon, broken, "broken");
        HttpResponse<String> r = daemon.post("/model/" + id + "/load", "");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains("llama.cpp could not load broken.gguf");
        assertThat(daemon.get("/.well-known/health").body()).isEqualTo("ok");
        assertThat(ok(daemon.get("/model/" + id)).get("loaded").asBoolean()).isFalse();
        assertThat(Runners.running()).isEmpty();
    }

    @Test
    void refuses_to_load_what_is_not_downloaded_and_what_can_never_fit() throws Exception {
        daemon = TestDaemon.start(Config.forDataDir(dataDir).withMemoryBudget(16L << 20));
        HttpResponse<String> notDownloaded = daemon.post("/model/tinyllama-1.1b-chat-v1.0-q4_k_m/load", "");
        assertThat(notDownloaded.statusCode()).isEqualTo(409);
        assertThat(notDownloaded.body()).contains("not downloaded");

        String id = Downloading.tinyModel(daemon, files, "too-big", 3);
        HttpResponse<String> tooBig = daemon.post("/model/" + id + "/load", "");
        assertThat(tooBig.statusCode()).isEqualTo(507);
        assertThat(tooBig.body()).contains("needs ").contains("available of the " + (16L << 20) + "-byte budget");
        assertThat(Runners.running()).isEmpty();
    }

    @Test
    void chat_completions_stream_as_server_sent_events() throws Exception {
        daemon = TestDaemon.start(dataDir);
        Downloading.tinyModel(daemon, files, "chatty", 7);
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", "chatty").put("max_tokens", 6).put("stream", true)
                .put("ignore_eos", true);
        body.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        HttpResponse<String> r = daemon.send(HttpRequest.newBuilder(daemon.uri("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(RuntimeTest::parse).toList();
        assertThat(chunks).hasSizeGreaterThan(1)
                .allSatisfy(c -> assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk"));
        assertThat(chunks.get(0).get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        assertThat(chunks.get(chunks.size() - 1).get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");

        JsonNode plain = ok(daemon.post("/v1/chat/completions", body.put("stream", false)));
        assertThat(plain.get("choices").get(0).get("message").get("role").asText()).isEqualTo("assistant");
        JsonNode listed = ok(daemon.get("/v1/models"));
        assertThat(listed.get("data").findValuesAsText("id")).contains("chatty");
        assertThat(daemon.post("/v1/chat/completions", "{\"model\": \"chatty\", \"messages\": []}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void deleting_a_loaded_model_unloads_it_first() throws Exception {
        daemon = TestDaemon.start(dataDir);
        String id = Downloading.tinyModel(daemon, files, "doomed", 8);
        ok(daemon.post("/model/" + id + "/load", ""));
        assertThat(daemon.post("/models/" + id + "/delete/cache", "{}").statusCode()).isEqualTo(200);
        assertThat(Runners.running()).isEmpty();
        JsonNode model = ok(daemon.get("/model/" + id));
        assertThat(model.get("loaded").asBoolean()).isFalse();
        assertThat(model.get("downloaded").asBoolean()).isFalse();
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(json, e);
        }
    }

    @Test
    void a_model_that_is_downloading_cannot_be_loaded() throws Exception {
        daemon = TestDaemon.start(dataDir);
        byte[] data = io.modeld.testing.FileServer.content(8 << 20, 10);
        try (io.modeld.testing.FileServer server = io.modeld.testing.FileServer.start().serve("/slow.gguf", data)
                .capPerConnection(256 << 10)) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("name", "slow");
            body.putObject("source").put("url", server.uri("/slow.gguf").toString());
            String id = ok(daemon.post("/models/create", body)).get("id").asText();
            daemon.post("/model/" + id + "/download", "");
            HttpResponse<String> r = daemon.post("/model/" + id + "/load", "");
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(r.body()).contains("still downloading");
            daemon.post("/model/" + id + "/download/cancel", "");
        }
    }

    @Test
    void a_model_loads_with_the_context_it_asks_for() throws Exception {
        daemon = TestDaemon.start(dataDir);
        String id = Downloading.tinyModel(daemon, files, "small-context", 11);
        ObjectNode model = (ObjectNode) ok(daemon.get("/model/" + id));
        model.put("context", 32);
        assertThat(ok(daemon.post("/model/update", model)).get("context").asInt()).isEqualTo(32);
        ok(daemon.post("/model/" + id + "/load", ""));
        assertThat(ok(daemon.get("/model/" + id)).get("context").asInt()).isEqualTo(32);
        // llama.cpp rounds a context up to a multiple of 256: the runner reports what it really got.
        assertThat(ok(daemon.get("/memory")).get("loaded").get(0).get("context").asInt()).isEqualTo(256);
        assertThat(complete(id, "Hi").get("usage").get("completion_tokens").asInt()).isEqualTo(8);
    }

    @Test
    void a_client_that_leaves_a_stream_does_not_leave_its_tokens_to_the_next_request() throws Exception {
        daemon = TestDaemon.start(dataDir);
        String id = Downloading.tinyModel(daemon, files, "left", 13);
        ObjectNode model = (ObjectNode) ok(daemon.get("/model/" + id));
        model.put("context", 8192);
        ok(daemon.post("/model/update", model));
        ok(daemon.post("/model/" + id + "/load", ""));
        String body = "{\"model\": \"left\", \"prompt\": \"Hi\", \"max_tokens\": 8000, \"ignore_eos\": true, "
                + "\"stream\": true}";
        try (io.modeld.testing.LogCapture log = new io.modeld.testing.LogCapture();
             java.net.Socket socket = new java.net.Socket("127.0.0.1", daemon.port())) {
            socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.io.InputStream in = socket.getInputStream();
            byte[] first = new byte[2048];
            assertThat(in.read(first)).as("the stream began").isPositive();
            socket.setSoLinger(true, 0);   // leave with a reset, as a killed client does
            socket.close();
            await().atMost(WAIT).until(() -> log.lines().stream().anyMatch(l -> l.contains("the client left")));
            assertThat(log.lines()).as("a client leaving is not a bug").noneMatch(l -> l.startsWith("ERROR"))
                    .filteredOn(l -> l.contains("the client left")).singleElement()
                    .satisfies(l -> assertThat(l).startsWith("DEBUG").doesNotContain("["));
        }
        // The next request must get its own answer: a few tokens, not the rest of the abandoned stream.
        JsonNode next = complete(id, "Hello");
        assertThat(next.get("usage").get("completion_tokens").asInt()).isEqualTo(8);
        assertThat(ok(daemon.get("/model/" + id)).get("loaded").asBoolean()).isTrue();
    }

    @Test
    void a_runner_exits_by_itself_when_its_daemon_dies() throws Exception {
        Path file = files.resolve("orphan.gguf");
        TinyLlama.TINY.write(file, 12);
        try (DaemonProcess daemonProcess = DaemonProcess.start(dataDir)) {
            String id = ok(daemonProcess.post("/models/create", "{\"name\": \"orphan\", \"source\": {\"url\": \""
                    + file.toUri() + "\"}}")).get("id").asText();
            daemonProcess.post("/model/" + id + "/download", null);
            await().atMost(WAIT).until(() -> ok(daemonProcess.get("/model/" + id)).get("downloaded").asBoolean());
            assertThat(ok(daemonProcess.post("/model/" + id + "/load", null)).get("loaded").asBoolean()).isTrue();
            ProcessHandle runner = daemonProcess.handle().children().findFirst().orElseThrow();

            daemonProcess.kill(); // SIGKILL: the daemon cannot tell its runner anything
            await().atMost(WAIT).until(() -> !runner.isAlive());
        }
    }
}
