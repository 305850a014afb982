package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A pull through Ollama's API is the same download the Pieces API sees: shared, verified, not canceled by a client leaving. */
class OllamaPullTest {

    static final int SIZE = 12 << 20;

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();

    private List<JsonNode> pull(String model) throws Exception {
        HttpResponse<InputStream> r = daemon.client().send(HttpRequest.newBuilder(daemon.uri("/api/pull"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"" + model + "\"}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(Json.MAPPER.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void the_pieces_api_sees_an_ollama_pull_download_and_two_pulls_share_it() throws Exception {
        byte[] data = FileServer.content(SIZE, 21);
        try (FileServer files = FileServer.start().serve("/m.gguf", data).capPerConnection(512 << 10)) {
            String id = Downloading.createModel(daemon, "shared-pull", files.uri("/m.gguf").toString(),
                    FileServer.sha256(data), SIZE);
            try (ProgressFrames pieces = ProgressFrames.open(daemon, id)) {
                CompletableFuture<List<JsonNode>> first = CompletableFuture.supplyAsync(() -> unchecked(() -> pull("shared-pull")));
                await().atMost(Duration.ofSeconds(30)).until(() -> ok(daemon.get("/model/" + id)).get("downloading").asBoolean());
                CompletableFuture<List<JsonNode>> second = CompletableFuture.supplyAsync(() -> unchecked(() -> pull("shared-pull:latest")));
                List<JsonNode> a = first.get(120, java.util.concurrent.TimeUnit.SECONDS);
                List<JsonNode> b = second.get(120, java.util.concurrent.TimeUnit.SECONDS);
                for (List<JsonNode> lines : List.of(a, b)) {
                    assertThat(lines.get(lines.size() - 1).get("status").asText()).isEqualTo("success");
                }
                List<Long> completed = a.stream().filter(l -> l.has("completed")).map(l -> l.get("completed").asLong()).toList();
                assertThat(completed).isSorted().hasSizeGreaterThan(3);
                assertThat(completed.get(completed.size() - 1)).isEqualTo(SIZE);
                assertThat(pieces.statuses()).contains("IN-PROGRESS").endsWith("COMPLETED");
            }
            assertThat(ok(daemon.get("/model/" + id)).get("downloaded").asBoolean()).isTrue();
            assertThat(files.bytesSent()).as("one download for both pulls").isLessThan((long) (SIZE * 1.1));
        }
    }

    @Test
    void a_client_that_leaves_a_pull_does_not_cancel_the_download() throws Exception {
        byte[] data = FileServer.content(SIZE, 22);
        try (FileServer files = FileServer.start().serve("/m.gguf", data).capPerConnection(512 << 10)) {
            String id = Downloading.createModel(daemon, "left-pull", files.uri("/m.gguf").toString(),
                    FileServer.sha256(data), SIZE);
            HttpResponse<InputStream> r = daemon.client().send(HttpRequest.newBuilder(daemon.uri("/api/pull"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"left-pull\"}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                assertThat(in.read(new byte[256])).isPositive();
            }
            try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
                assertThat(Downloading.awaitTerminal(daemon, id, frames).get("downloaded").asBoolean()).isTrue();
            }
        }
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T unchecked(Call<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
