package io.modeld.download;

import static io.modeld.testing.Downloading.WAIT;
import static io.modeld.testing.Downloading.awaitTerminal;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.config.Config;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.OneFileDownloads;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadTest extends OneFileDownloads {

    @Test
    void downloads_over_parallel_ranges_verifies_and_moves_the_file_into_place() throws Exception {
        String id = createModel("parallel");
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            JsonNode started = ok(daemon.post("/model/" + id + "/download", ""));
            assertThat(started.get("downloading").asBoolean()).isTrue();
            assertThat(started.get("downloaded").asBoolean()).isFalse();

            JsonNode done = awaitTerminal(daemon, id, frames);
            assertThat(frames.last().get("status").asText()).isEqualTo("COMPLETED");
            assertThat(frames.last().get("percentage").asDouble()).isEqualTo(100);
            assertThat(done.get("downloaded").asBoolean()).isTrue();
            assertThat(done.get("downloading").asBoolean()).isFalse();
        }
        assertThat(Files.readAllBytes(finalFile(id))).isEqualTo(data);
        assertThat(daemon.dataDir().resolve("partial").resolve(id)).doesNotExist();
        long rangeRequests = files.requests().stream().filter(r -> r.range() != null && !r.range().equals("bytes=0-0"))
                .count();
        assertThat(rangeRequests).as("chunks fetched by range").isGreaterThan(1);
        assertThat(files.bytesSent()).isLessThan(SIZE + SIZE / 10);
    }

    @Test
    void a_downloaded_model_fetches_nothing_and_survives_a_restart() throws Exception {
        String id = createModel("once");
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            awaitTerminal(daemon, id, frames);
        }
        int requests = files.requests().size();
        daemon.restart();
        JsonNode again = ok(daemon.post("/model/" + id + "/download", ""));
        assertThat(again.get("downloaded").asBoolean()).isTrue();
        assertThat(again.get("downloading").asBoolean()).isFalse();
        assertThat(files.requests()).hasSize(requests);
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            await().atMost(WAIT).until(() -> frames.last() != null);
            assertThat(frames.last().get("status").asText()).isEqualTo("COMPLETED");
        }
    }

    @Test
    void ten_concurrent_posts_make_one_download() throws Exception {
        String id = createModel("shared");
        files.capPerConnection(4 << 20);
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                posts.add(CompletableFuture.supplyAsync(() -> daemon.post("/model/" + id + "/download", "")));
            }
            for (CompletableFuture<HttpResponse<String>> p : posts) {
                assertThat(p.get().statusCode()).isEqualTo(200);
            }
            awaitTerminal(daemon, id, frames);
            assertThat(frames.last().get("status").asText()).isEqualTo("COMPLETED");
        }
        long probes = files.requests().stream().filter(r -> "bytes=0-0".equals(r.range())).count();
        assertThat(probes).isEqualTo(1);
        assertThat(files.bytesSent()).isLessThan(SIZE + SIZE / 10);
    }

    @Test
    void progress_frames_never_go_backwards_and_end_with_the_terminal_frame() throws Exception {
        String id = createModel("progress");
        files.capPerConnection(1 << 20);
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            await().atMost(WAIT).until(() -> frames.last() != null);
            assertThat(frames.frames().get(0).get("status").asText()).isEqualTo("UNKNOWN");
            daemon.post("/model/" + id + "/download", "");
            awaitTerminal(daemon, id, frames);
            List<JsonNode> all = frames.frames();
            assertThat(frames.statuses()).contains("IN-PROGRESS").last().isEqualTo("COMPLETED");
            double previous = 0;
            long previousBytes = 0;
            for (JsonNode f : all.subList(1, all.size())) {
                assertThat(f.get("percentage").asDouble()).isGreaterThanOrEqualTo(previous).isBetween(0.0, 100.0);
                assertThat(f.get("bytes").get("downloaded").asLong()).isGreaterThanOrEqualTo(previousBytes);
                assertThat(f.get("schema").get("migration").asInt()).isPositive();
                previous = f.get("percentage").asDouble();
                previousBytes = f.get("bytes").get("downloaded").asLong();
            }
            assertThat(all.stream().filter(f -> f.get("status").asText().equals("IN-PROGRESS")).count())
                    .as("several progress frames along the way").isGreaterThan(2);
            assertThat(frames.last().get("bytes").get("total").asLong()).isEqualTo(SIZE);
        }
    }

    @Test
    void a_server_without_ranges_is_fetched_in_one_stream() throws Exception {
        files.refuseRanges();
        String id = createModel("no-ranges");
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            assertThat(awaitTerminal(daemon, id, frames).get("downloaded").asBoolean()).isTrue();
        }
        assertThat(Files.readAllBytes(finalFile(id))).isEqualTo(data);
        assertThat(files.requests().stream().filter(r -> !"bytes=0-0".equals(r.range()))).hasSize(1);
        // The probe of a server without ranges gets a 200 and drops it at once; what the server had
        // already pushed into loopback socket buffers counts as sent.
        assertThat(files.bytesSent()).isLessThan(2L * SIZE);
    }

    @Test
    void cancel_stops_the_download_and_removes_the_partial_data() throws Exception {
        files.capPerConnection(256 << 10);
        String id = createModel("cancel-me");
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            await().atMost(WAIT).until(() -> frames.frames().stream()
                    .anyMatch(f -> f.get("bytes").get("downloaded").asLong() > 0));
            JsonNode canceled = ok(daemon.post("/model/" + id + "/download/cancel", ""));
            assertThat(canceled.get("downloading").asBoolean()).isFalse();
            assertThat(canceled.get("downloaded").asBoolean()).isFalse();
            await().atMost(WAIT).until(() -> "CANCELED".equals(frames.last().get("status").asText()));
        }
        assertThat(daemon.dataDir().resolve("partial").resolve(id)).doesNotExist();
        long sent = files.bytesSent();
        Thread.sleep(500);
        assertThat(files.bytesSent()).as("no connection keeps sending after the cancel").isLessThan(sent + (256 << 10));
        // Cancel of a model that is not downloading returns it unchanged.
        assertThat(ok(daemon.post("/model/" + id + "/download/cancel", "")).get("downloaded").asBoolean()).isFalse();
    }

    @Test
    void delete_cache_cancels_a_running_download() throws Exception {
        files.capPerConnection(256 << 10);
        String id = createModel("delete-while-downloading");
        daemon.post("/model/" + id + "/download", "");
        await().atMost(WAIT).until(() -> ok(daemon.get("/model/" + id)).get("downloading").asBoolean());
        assertThat(daemon.post("/models/" + id + "/delete/cache", "{}").statusCode()).isEqualTo(200);
        JsonNode model = ok(daemon.get("/model/" + id));
        assertThat(model.get("downloading").asBoolean()).isFalse();
        assertThat(model.get("downloaded").asBoolean()).isFalse();
        assertThat(daemon.dataDir().resolve("partial").resolve(id)).doesNotExist();
    }

    @Test
    void refuses_a_model_without_source_and_one_that_cannot_fit() {
        String noSource = ok(daemon.post("/models/create", "{\"name\": \"sourceless\"}")).get("id").asText();
        HttpResponse<String> r = daemon.post("/model/" + noSource + "/download", "");
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("source.url");

        ObjectNode huge = Json.MAPPER.createObjectNode().put("name", "huge");
        huge.putObject("source").put("url", files.uri("/model.gguf").toString());
        huge.putObject("bytes").put("value", 1L << 60);
        String hugeId = ok(daemon.post("/models/create", huge)).get("id").asText();
        HttpResponse<String> full = daemon.post("/model/" + hugeId + "/download", "");
        assertThat(full.statusCode()).isEqualTo(507);
        assertThat(full.body()).contains("needs " + (1L << 60) + " bytes").contains("free");
        assertThat(ok(daemon.get("/model/" + hugeId)).get("downloading").asBoolean()).isFalse();
        assertThat(files.requests()).isEmpty();
    }

    @Test
    void imports_a_local_file_with_the_same_checks(@TempDir Path elsewhere) throws Exception {
        Path local = elsewhere.resolve("local model.gguf");
        TinyLlama.TINY.write(local, 4);
        byte[] data = Files.readAllBytes(local);
        String id = Downloading.createModel(daemon, "local", local.toUri().toString(), FileServer.sha256(data), null);
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            assertThat(awaitTerminal(daemon, id, frames).get("downloaded").asBoolean()).isTrue();
        }
        try (Stream<Path> stored = Files.list(daemon.dataDir().resolve("models").resolve(id))) {
            Path file = stored.findFirst().orElseThrow();
            assertThat(file.getFileName().toString()).isEqualTo("local_model.gguf");
            assertThat(Files.readAllBytes(file)).isEqualTo(data);
        }
        assertThat(local).exists();
    }

    @Test
    void a_slow_subscriber_does_not_hold_up_the_download() throws Exception {
        String id = createModel("unread");
        var stuck = TestDaemon.client().newWebSocketBuilder().buildAsync(
                java.net.URI.create("ws://127.0.0.1:" + daemon.port() + "/model/" + id + "/download/progress"),
                new java.net.http.WebSocket.Listener() {
                    @Override
                    public void onOpen(java.net.http.WebSocket ws) {
                        // Never calls request(): this subscriber reads nothing.
                    }
                }).get();
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            assertThat(awaitTerminal(daemon, id, frames).get("downloaded").asBoolean()).isTrue();
        } finally {
            stuck.abort();
        }
    }

    @Test
    void downloads_beyond_the_limit_wait_their_turn_as_initialized(@TempDir Path otherDir) throws Exception {
        files.capPerConnection(1 << 20);
        try (TestDaemon one = TestDaemon.start(Config.forDataDir(otherDir).withDownloads(1, 2, true, Duration.ofSeconds(5)))) {
            String first = Downloading.createModel(one, "first", files.uri("/model.gguf").toString(), FileServer.sha256(data), SIZE);
            String second = Downloading.createModel(one, "second", files.uri("/model.gguf").toString() + "?copy", null, SIZE);
            try (ProgressFrames a = ProgressFrames.open(one, first); ProgressFrames b = ProgressFrames.open(one, second)) {
                one.post("/model/" + first + "/download", "");
                await().atMost(WAIT).until(() -> "IN-PROGRESS".equals(a.last().get("status").asText()));
                assertThat(ok(one.post("/model/" + second + "/download", "")).get("downloading").asBoolean()).isTrue();
                await().atMost(WAIT).until(() -> "INITIALIZED".equals(b.last().get("status").asText()));
                assertThat(a.last().get("status").asText()).isEqualTo("IN-PROGRESS");
                files.capPerConnection(0);
                awaitTerminal(one, first, a);
                awaitTerminal(one, second, b);
                assertThat(b.statuses()).containsSubsequence("INITIALIZED", "IN-PROGRESS", "COMPLETED");
            }
        }
    }

    @Test
    void the_identifier_stream_announces_when_a_download_starts_and_ends() throws Exception {
        String id = createModel("announced");
        try (ProgressFrames ids = ProgressFrames.identifiers(daemon); ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            await().atMost(WAIT).until(() -> !ids.frames().isEmpty());
            int before = ids.frames().size();
            daemon.post("/model/" + id + "/download", "");
            awaitTerminal(daemon, id, frames);
            await().atMost(WAIT).until(() -> ids.frames().stream().skip(before)
                    .filter(f -> f.get("iterable").get(0).get("model").get("id").asText().equals(id)).count() >= 2);
        }
    }

    @Test
    void a_downloaded_gguf_fills_the_fields_its_model_left_out(@TempDir Path dir) throws Exception {
        Path gguf = dir.resolve("tiny.gguf");
        TinyLlama.TINY.write(gguf, 6);
        byte[] tiny = Files.readAllBytes(gguf);
        files.serve("/tiny.gguf", tiny);
        String id = Downloading.createModel(daemon, "remote-tiny", files.uri("/tiny.gguf").toString(), null, null);
        assertThat(ok(daemon.get("/model/" + id)).has("quantization")).isFalse();
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            JsonNode model = awaitTerminal(daemon, id, frames);
            assertThat(model.get("downloaded").asBoolean()).isTrue();
            assertThat(model.get("quantization").asText()).isEqualTo("F32");
            assertThat(model.get("maxTokens").get("total").asLong()).isEqualTo(256);
            assertThat(model.get("bytes").get("value").asLong()).isEqualTo(tiny.length);
        }
    }
}
