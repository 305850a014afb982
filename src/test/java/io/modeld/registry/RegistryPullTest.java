package io.modeld.registry;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.LocalRegistry;
import io.modeld.testing.ModelImages;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from Debian's docker-registry: Ollama's layout and Docker Model Runner's, by every spelling of a name. */
class RegistryPullTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path tmp;
    private LocalRegistry registry;
    private byte[] gguf;

    @BeforeEach
    void startRegistry() throws Exception {
        assumeTrue(LocalRegistry.installed(), "docker-registry is not installed (.ci/run installs it)");
        registry = LocalRegistry.start(tmp.resolve("registry"));
        Path file = tmp.resolve("tiny.gguf");
        TinyModels.qwen3(file, 1);
        gguf = Files.readAllBytes(file);
    }

    @AfterEach
    void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private String create(String unique, String url) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", unique).put("unique", unique);
        body.putObject("source").put("url", url);
        return ok(daemon.post("/models/create", body)).get("id").asText();
    }

    /** Downloads the model; returns its last progress frame. */
    private JsonNode pull(String id) throws Exception {
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            ok(daemon.post("/model/" + id + "/download", ""));
            Downloading.awaitTerminal(daemon, id, frames);
            return frames.last();
        }
    }

    @Test
    void an_ollama_style_model_pulls_with_its_template_system_and_params_and_chats() throws Exception {
        String manifest = ModelImages.ollama(registry, "library/tiny", "latest", gguf, "{{ .Prompt }}",
                "You are tiny.", "{\"temperature\": 0.5, \"stop\": [\"<|im_end|>\"]}");
        String id = create("tiny-oci", "oci://" + registry.host() + "/library/tiny:latest");
        JsonNode end = pull(id);
        assertThat(end.get("status").asText()).as(end.toString()).isEqualTo("COMPLETED");
        JsonNode m = ok(daemon.get("/model/" + id));
        assertThat(m.get("downloaded").asBoolean()).isTrue();
        assertThat(m.get("family").asText()).isEqualTo("qwen3");
        Path stored;
        try (var files = Files.list(daemon.dataDir().resolve("models").resolve(id))) {
            stored = files.findFirst().orElseThrow();
        }
        assertThat(FileServer.sha256(Files.readAllBytes(stored))).isEqualTo(FileServer.sha256(gguf));
        JsonNode show = ok(daemon.post("/api/show", "{\"model\": \"" + id + "\"}"));
        assertThat(show.get("system").asText()).isEqualTo("You are tiny.");
        assertThat(show.get("template").asText()).isEqualTo("{{ .Prompt }}");
        assertThat(show.get("parameters").asText()).contains("temperature 0.5");
        ObjectNode chat = Json.MAPPER.createObjectNode().put("model", "tiny-oci").put("max_tokens", 3).put("ignore_eos", true);
        chat.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        assertThat(ok(daemon.post("/v1/chat/completions", chat)).get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        assertThat(manifest).startsWith("sha256:");
    }

    @Test
    void a_docker_model_runner_model_in_two_shards_pulls_as_one_model_that_loads() throws Exception {
        List<byte[]> shards = new ArrayList<>();
        for (Path p : TinyModels.qwen3Split(Files.createDirectories(tmp.resolve("shards")), "s", 2, 4)) {
            shards.add(Files.readAllBytes(p));
        }
        ModelImages.dockerModelRunner(registry, "ai/tiny", "q8", shards);
        String id = create("tiny-dmr", "oci://" + registry.host() + "/ai/tiny:q8");
        JsonNode end = pull(id);
        assertThat(end.get("status").asText()).as(end.toString()).isEqualTo("COMPLETED");
        JsonNode m = ok(daemon.get("/model/" + id));
        assertThat(m.get("bytes").get("value").asLong()).isEqualTo(shards.get(0).length + shards.get(1).length);
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", "tiny-dmr").put("prompt", "Hello")
                .put("max_tokens", 3).put("ignore_eos", true);
        assertThat(ok(daemon.post("/v1/completions", body)).get("usage").get("completion_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void ollama_names_pull_through_the_ollama_api_and_an_unknown_repository_fails_clearly() throws Exception {
        ModelImages.ollama(registry, "team/tiny", "v1", gguf, null, null, null);
        String name = registry.host() + "/team/tiny:v1";
        String lines = daemon.post("/api/pull", "{\"model\": \"" + name + "\"}").body();
        assertThat(lines).contains("\"status\":\"success\"");
        assertThat(ok(daemon.get("/api/tags")).toString()).contains(name);
        String missing = daemon.post("/api/pull", "{\"model\": \"" + registry.host() + "/team/nothing:v1\"}").body();
        assertThat(missing).contains("{\"error\":\"pull model manifest: file does not exist\"}");   // Ollama's words
        assertThat(ok(daemon.get("/api/tags")).toString()).doesNotContain("team/nothing");   // nothing left behind
        String refused = daemon.post("/api/pull", "{\"model\": \"" + registry.host() + "/team/nothing:v1\", \"stream\": false}").body();
        assertThat(refused).isEqualTo("{\"error\":\"pull model manifest: file does not exist\"}");
    }

    @Test
    void a_team_catalog_lists_models_of_the_teams_registry_and_they_pull() throws Exception {
        ModelImages.ollama(registry, "team/qwen3", "0.6b", gguf, null, "Team model.", null);
        Path catalog = tmp.resolve("team.json");
        Files.writeString(catalog, "[{\"name\": \"Qwen3 (team)\", \"unique\": \"team-qwen3\", \"source\": {\"url\": \"oci://"
                + registry.host() + "/team/qwen3:0.6b\"}}]");
        try (TestDaemon fleet = TestDaemon.start(io.modeld.config.Config.forDataDir(tmp.resolve("fleet")).withCatalog(catalog))) {
            String id = ok(fleet.get("/model/team-qwen3")).get("id").asText();
            try (ProgressFrames frames = ProgressFrames.open(fleet, id)) {
                ok(fleet.post("/model/" + id + "/download", ""));
                assertThat(Downloading.awaitTerminal(fleet, id, frames).get("downloaded").asBoolean()).isTrue();
            }
            assertThat(ok(fleet.post("/api/show", "{\"model\": \"team-qwen3\"}")).get("system").asText()).isEqualTo("Team model.");
        }
    }

    @Test
    void a_blob_that_does_not_match_its_digest_fails_and_keeps_nothing() throws Exception {
        String digest = ModelImages.ollama(registry, "library/bad", "latest", gguf, null, null, null);
        assertThat(digest).isNotNull();
        // Corrupt the blob in the registry's own storage: it serves what it stores, unchecked.
        String hex = FileServer.sha256(gguf);
        Path data = tmp.resolve("registry/data/docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2))
                .resolve(hex).resolve("data");
        byte[] corrupt = gguf.clone();
        corrupt[corrupt.length - 1] ^= 0x55;
        Files.write(data, corrupt);
        String id = create("bad", "oci://" + registry.host() + "/library/bad:latest");
        JsonNode end = pull(id);
        assertThat(end.get("status").asText()).isEqualTo("FAILED");
        assertThat(end.toString()).contains("SHA-256 mismatch");
        assertThat(ok(daemon.get("/model/" + id)).get("downloaded").asBoolean()).isFalse();
        assertThat(daemon.dataDir().resolve("models").resolve(id)).doesNotExist();
        assertThat(daemon.dataDir().resolve("partial").resolve(id)).doesNotExist();
    }
}
