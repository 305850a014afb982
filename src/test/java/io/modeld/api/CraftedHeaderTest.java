package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.gguf.GgufReader;
import io.modeld.gguf.GgufWriter;
import io.modeld.testing.DaemonProcess;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GGUF metadata is untrusted: a file crafted with millions of keys must not fill the daemon's heap, and
 * what the views keep and show of any header is bounded.
 */
class CraftedHeaderTest {

    @TempDir
    Path tmp;

    /** A GGUF whose header holds {@code keys} metadata keys besides its architecture, and one tiny tensor. */
    private static Path withKeys(Path file, int keys) throws Exception {
        GgufWriter w = new GgufWriter().string("general.architecture", "llama");
        for (int i = 0; i < keys; i++) {
            w.u32("x.k" + i, i);
        }
        w.tensor("t.weight", new long[] {8}, i -> i).write(file);
        return file;
    }

    @Test
    void a_header_of_two_million_keys_leaves_a_small_heap_daemon_answering_every_route() throws Exception {
        Path library = Files.createDirectories(tmp.resolve("library"));
        Path crafted = withKeys(library.resolve("crafted.gguf"), 2_000_000);
        assertThat(Files.size(crafted)).isGreaterThan(40L << 20);
        try (DaemonProcess d = DaemonProcess.start(Map.of(), List.of("-Xmx96m"), tmp.resolve("data"),
                "--no-library", "--library", library.toString())) {
            var refused = d.post("/models/create", "{\"name\": \"crafted\", \"source\": {\"url\": \""
                    + crafted.toUri() + "\"}}");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("metadata keys", String.valueOf(GgufReader.MAX_KEYS));
            for (String route : List.of("/models", "/api/tags", "/api/ps", "/memory", "/.well-known/health")) {
                assertThat(d.get(route).statusCode()).as(route).isEqualTo(200);
            }
            assertThat(d.get("/models").body()).doesNotContain("crafted");
            assertThat(d.handle().isAlive()).isTrue();
        }
    }

    @Test
    void what_show_and_details_give_of_a_header_is_bounded() throws Exception {
        try (TestDaemon daemon = TestDaemon.start(tmp.resolve("data"))) {
            Path file = withKeys(tmp.resolve("many.gguf"), 3000);
            String id = Downloading.downloaded(daemon, file, "many-keys");

            JsonNode show = ok(daemon.post("/api/show", "{\"model\": \"" + id + "\"}"));
            assertThat(show.get("model_info").size()).isLessThanOrEqualTo(1024 + 1);
            assertThat(show.get("model_info").get("general.architecture").asText()).isEqualTo("llama");

            JsonNode details = ok(daemon.get("/model/" + id + "/details"));
            assertThat(details.path("gguf").path("metadata").size()).isLessThanOrEqualTo(1024);
            assertThat(details.path("gguf").path("metadataLeftOut").asInt()).isPositive();

            assertThat(daemon.send(java.net.http.HttpRequest.newBuilder(daemon.uri("/api/delete"))
                    .method("DELETE", java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\": \"" + id + "\"}"))
                    .build()).statusCode()).isEqualTo(200);
            assertThat(daemon.post("/api/show", "{\"model\": \"" + id + "\"}").statusCode()).isEqualTo(404);
        }
    }
}
