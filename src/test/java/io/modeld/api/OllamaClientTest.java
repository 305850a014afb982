package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.NodeTests;
import io.modeld.testing.Runners;
import io.modeld.testing.TestDaemon;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** ollama-js, the official Ollama client, against a daemon serving Ollama's API on its own port. */
class OllamaClientTest {

    static final int OLLAMA_PORT = freePort();

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().ollamaPort(OLLAMA_PORT).build());
    @TempDir
    Path files;

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void the_official_ollama_client_drives_the_daemon() throws Exception {
        Downloading.tinyModel(daemon, files, "tiny", 1);
        Path embedder = files.resolve("embedder.gguf");
        TinyModels.bertEmbedder(embedder, 2);
        Downloading.downloaded(daemon, embedder, "embedder");
        Path toPull = files.resolve("to-pull.gguf");
        TinyLlama.TINY.write(toPull, 3);
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", "to pull").put("unique", "to-pull");
        body.putObject("source").put("url", toPull.toUri().toString());
        String pulled = ok(daemon.post("/models/create", body)).get("id").asText();
        Path blob = files.resolve("blob.gguf");
        TinyLlama.TINY.write(blob, 4);

        NodeTests.run("ollama-client.test.mjs", Map.of("MODELD_OLLAMA_URL", "http://127.0.0.1:" + OLLAMA_PORT,
                "BLOB_FILE", blob.toString(), "BLOB_SHA256", FileServer.sha256(Files.readAllBytes(blob))), 12, files);

        assertThat(ok(daemon.get("/model/" + pulled)).get("downloaded").asBoolean())
                .as("pulled through Ollama's API, downloaded for the Pieces API").isTrue();
        assertThat(ok(daemon.get("/model/tiny")).get("loaded").asBoolean()).as("keep_alive 0 unloaded it").isFalse();
        assertThat(Runners.running()).as("one runner per model still loaded: tiny's ended")
                .hasSize(ok(daemon.get("/memory")).get("loaded").size());
        assertThat(ok(daemon.get("/model/created:v1")).get("ollama").asText()).isEqualTo("created:v1");
        assertThat(daemon.dataDir().resolve("blobs")).isEmptyDirectory();
    }
}
