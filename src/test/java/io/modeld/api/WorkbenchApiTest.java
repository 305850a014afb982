package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.cli.ModeldCommand;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The extensions the dashboard uses, through HTTP and the CLI: settings, logs, details, pull by name. */
class WorkbenchApiTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path tmp;

    private HttpResponse<String> put(String path, String body) {
        return daemon.send(HttpRequest.newBuilder(daemon.uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private String cli(String... args) {
        StringWriter out = new StringWriter();
        var cl = ModeldCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--url";
        all[args.length + 1] = "http://127.0.0.1:" + daemon.port();
        assertThat(cl.execute(all)).isZero();
        return out.toString();
    }

    @Test
    void settings_apply_at_once_survive_a_restart_and_a_bad_one_changes_nothing() {
        JsonNode before = ok(daemon.get("/settings"));
        HttpResponse<String> bad = put("/settings", "{\"keepAlive\": \"10m\", \"memoryBudget\": \"lots\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("memoryBudget");
        assertThat(ok(daemon.get("/settings"))).isEqualTo(before);
        assertThat(put("/settings", "{\"colour\": \"blue\"}").statusCode()).isEqualTo(400);

        JsonNode after = ok(put("/settings", "{\"memoryBudget\": \"3GiB\", \"keepAlive\": \"10m\", \"maxDownloads\": 4}"));
        assertThat(after.get("memoryBudget").asLong()).isEqualTo(3L << 30);
        assertThat(ok(daemon.get("/memory")).get("budget").asLong()).isEqualTo(3L << 30);
        assertThat(cli("config", "set", "max-bandwidth", "5MB/s")).contains("max-bandwidth  5.0 MB/s");
        assertThat(ok(daemon.get("/downloads/bandwidth")).get("bytesPerSecond").asLong()).isEqualTo(5_000_000);
        assertThat(cli("config", "set", "parallel", "2")).contains("parallel       2");

        daemon.restart();
        JsonNode kept = ok(daemon.get("/settings"));
        assertThat(kept.get("memoryBudget").asLong()).isEqualTo(3L << 30);
        assertThat(kept.get("keepAlive").asText()).isEqualTo("10m");
        assertThat(kept.get("maxDownloads").asInt()).isEqualTo(4);
        assertThat(kept.get("maxBandwidth").asLong()).isEqualTo(5_000_000);
        assertThat(cli("config")).contains("keep-alive     10m").contains("max-downloads  4").contains("parallel       2");
        assertThat(kept.get("parallel").asInt()).isEqualTo(2);
    }

    @Test
    void a_budget_too_small_to_load_anything_and_settings_of_the_wrong_type_are_refused_and_not_saved() {
        JsonNode before = ok(daemon.get("/settings"));
        for (String body : new String[] {"{\"memoryBudget\": 1}", "{\"memoryBudget\": \"1MiB\"}",
                "{\"keepAlive\": 5}", "{\"keepAlive\": {}}", "{\"maxDownloads\": \"4\"}", "[1, 2]",
                "{\"maxBandwidth\": true}", "{\"parallel\": 17}", "{\"parallel\": -1}", "{\"parallel\": \"4\"}"}) {
            HttpResponse<String> r = put("/settings", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
        }
        assertThat(put("/settings", "{\"memoryBudget\": 1}").body()).contains("at least 256MiB");
        assertThat(ok(daemon.get("/settings"))).isEqualTo(before);
        assertThat(daemon.dataDir().resolve("settings.json")).doesNotExist();
    }

    @Test
    void a_settings_file_with_a_budget_below_the_minimum_keeps_the_flags_value_at_start() throws Exception {
        long flag = ok(daemon.get("/settings")).get("memoryBudget").asLong();
        java.nio.file.Files.writeString(daemon.dataDir().resolve("settings.json"), "{\"memoryBudget\": 1}");
        daemon.restart();
        assertThat(ok(daemon.get("/settings")).get("memoryBudget").asLong()).isEqualTo(flag);
    }

    @Test
    void the_log_details_and_pull_by_name() throws Exception {
        Path file = tmp.resolve("detailed.gguf");
        TinyModels.qwen3(file, 2);
        String id = Downloading.downloaded(daemon, file, "detailed");
        JsonNode d = ok(daemon.get("/model/" + id + "/details"));
        assertThat(d.get("gguf").get("architecture").asText()).isEqualTo("qwen3");
        assertThat(d.get("gguf").get("tensors").asInt()).isPositive();
        assertThat(d.get("gguf").get("chatTemplate").asText()).contains("im_start");
        assertThat(d.get("gguf").get("metadata").get("tokenizer.ggml.tokens").asText()).startsWith("[259 × string]");
        assertThat(d.get("file").get("where").asText()).isEqualTo("store");
        assertThat(d.get("downloadHistory").get(d.get("downloadHistory").size() - 1).get("status").asText())
                .isEqualTo("COMPLETED");

        assertThat(ok(daemon.get("/logs?lines=5")).get("lines")).hasSizeLessThanOrEqualTo(5).isNotEmpty();
        assertThat(daemon.get("/logs?lines=x").statusCode()).isEqualTo(400);

        JsonNode pulled = ok(daemon.post("/models/pull", "{\"name\": \"detailed\"}"));
        assertThat(pulled.get("id").asText()).isEqualTo(id);
        HttpResponse<String> nonsense = daemon.post("/models/pull", "{\"name\": \"not a name!\"}");
        assertThat(nonsense.statusCode()).isEqualTo(400);
        JsonNode fromUrl = ok(daemon.post("/models/pull", Json.MAPPER.createObjectNode()
                .put("name", file.toUri().toString()).toString()));
        assertThat(fromUrl.get("id").asText()).as("the model of that source already").isEqualTo(id);
        Path other = tmp.resolve("other.gguf");
        TinyModels.qwen3(other, 3);
        JsonNode made = ok(daemon.post("/models/pull", Json.MAPPER.createObjectNode()
                .put("name", other.toUri().toString()).toString()));
        assertThat(made.get("name").asText()).isEqualTo("other.gguf");
        assertThat(made.get("id").asText()).isNotEqualTo(id);
    }

    @Test
    void the_activity_stream_tells_each_generation_once_with_its_tokens_per_second() throws Exception {
        Path file = tmp.resolve("busy.gguf");
        TinyModels.qwen3(file, 4);
        String id = Downloading.downloaded(daemon, file, "busy");
        java.util.concurrent.BlockingQueue<JsonNode> frames = new java.util.concurrent.LinkedBlockingQueue<>();
        StringBuilder partial = new StringBuilder();
        var ws = TestDaemon.client().newWebSocketBuilder().buildAsync(
                java.net.URI.create("ws://127.0.0.1:" + daemon.port() + "/stream/activity"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                frames.add(Json.MAPPER.readTree(partial.toString()));
                            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                                throw new IllegalStateException(e);
                            }
                            partial.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).join();
        try {
            assertThat(frames.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();   // the first frame at once
            ok(daemon.post("/v1/completions", Json.MAPPER.createObjectNode().put("model", "busy").put("prompt", "Hi")
                    .put("max_tokens", 5).put("ignore_eos", true).toString()));
            int told = 0;
            long end = System.nanoTime() + 4_000_000_000L;
            while (System.nanoTime() < end) {
                JsonNode f = frames.poll(500, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (f == null) {
                    continue;
                }
                assertThat(f.get("memory").get("budget").asLong()).isPositive();
                for (JsonNode g : f.get("generations")) {
                    assertThat(g.get("model").asText()).isEqualTo(id);
                    assertThat(g.get("tokens").asInt()).isEqualTo(5);
                    assertThat(g.get("tokensPerSecond").asDouble()).isPositive();
                    told++;
                }
            }
            assertThat(told).as("the generation, in one frame only").isEqualTo(1);
        } finally {
            ws.abort();
        }
    }
}
