package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.gguf.TinyProjector;
import io.modeld.testing.Downloading;
import io.modeld.testing.LocalRegistry;
import io.modeld.testing.ModelImages;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import io.modeld.testing.TestImages;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model's projector from every way a model comes: a Pieces {@code source.projector}, Ollama's {@code /api/create}
 * with a projector among its {@code files} (and {@code from}, {@code /api/copy} keeping it), a registry's projector
 * layer in Ollama's and Docker's layouts; each model then reads an image. A projector made for another model is
 * refused, with both sizes named, and no model is marked ready with it.
 */
class ProjectorSourcesTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path dir;

    private Path model;
    private Path projector;

    private void write() throws Exception {
        model = dir.resolve("tiny.gguf");
        projector = dir.resolve("mmproj-tiny.gguf");
        TinyLlama.CHAT.write(model, 81);
        TinyProjector.CHAT.write(projector, 82);
    }

    /** Whether the model (by name) says it reads images, and answers a question about one. */
    private void sees(String name) {
        JsonNode show = ok(daemon.post("/api/show", "{\"model\": \"" + name + "\"}"));
        assertThat(show.get("capabilities").toString()).as(name).contains("vision");
        assertThat(show.path("projector_info").path("clip.projector_type").asText()).isEqualTo("gemma3");
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", name).put("stream", false);
        ObjectNode m = body.putArray("messages").addObject().put("role", "user").put("content", "What is this?");
        m.putArray("images").add(Base64.getEncoder().encodeToString(TestImages.png(40, 40, 5)));
        body.putObject("options").put("num_predict", 3);
        JsonNode answer = ok(daemon.post("/api/chat", body));
        assertThat(answer.get("prompt_eval_count").asInt()).isGreaterThan(TinyProjector.CHAT.tokensPerImage());
    }

    @Test
    void a_pieces_source_names_the_projector_and_a_mismatched_one_fails_the_download() throws Exception {
        write();
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", "seer").put("unique", "seer");
        body.putObject("source").put("url", model.toUri().toString()).putObject("projector")
                .put("url", projector.toUri().toString());
        String id = ok(daemon.post("/models/create", body)).get("id").asText();
        JsonNode got = Downloading.download(daemon, id);
        assertThat(got.path("downloaded").asBoolean()).as(got.toString()).isTrue();
        sees("seer");
        assertThat(daemon.dataDir().resolve("models").resolve(id).resolve("mmproj.gguf")).exists();

        Path wide = dir.resolve("mmproj-wide.gguf");
        new TinyProjector(32, 8, 2, 16, 24, 48).write(wide, 83);
        ObjectNode bad = Json.MAPPER.createObjectNode().put("name", "blind").put("unique", "blind");
        bad.putObject("source").put("url", model.toUri().toString()).putObject("projector")
                .put("url", wide.toUri().toString());
        String badId = ok(daemon.post("/models/create", bad)).get("id").asText();
        try (ProgressFrames frames = ProgressFrames.open(daemon, badId)) {
            ok(daemon.post("/model/" + badId + "/download", ""));
            assertThat(Downloading.awaitTerminal(daemon, badId, frames).path("downloaded").asBoolean()).isFalse();
            assertThat(frames.last().toString())
                    .contains("gives embeddings of 48 values, and the model reads embeddings of 32");
        }

        ObjectNode registryOnly = Json.MAPPER.createObjectNode().put("name", "x");
        registryOnly.putObject("source").put("url", "oci://127.0.0.1:1/a/b:c").putObject("projector")
                .put("url", projector.toUri().toString());
        assertThat(daemon.post("/models/create", registryOnly).statusCode()).isEqualTo(400);
    }

    @Test
    void ollama_create_takes_a_projector_among_its_files_and_from_and_copy_keep_it() throws Exception {
        write();
        String modelSha = upload(model);
        String projectorSha = upload(projector);
        ObjectNode create = Json.MAPPER.createObjectNode().put("model", "seer2").put("stream", false);
        create.putObject("files").put("tiny.gguf", modelSha).put("mmproj-tiny.gguf", projectorSha);
        ok(daemon.post("/api/create", create));
        sees("seer2");
        ok(daemon.post("/api/create", "{\"model\": \"seer3\", \"from\": \"seer2\", \"system\": \"Be brief.\", "
                + "\"stream\": false}"));
        sees("seer3");
        assertThat(daemon.post("/api/copy", "{\"source\": \"seer2\", \"destination\": \"seer4\"}").statusCode())
                .isEqualTo(200);
        sees("seer4");

        Path wide = dir.resolve("mmproj-wide.gguf");
        new TinyProjector(32, 8, 2, 16, 24, 48).write(wide, 84);
        ObjectNode mismatched = Json.MAPPER.createObjectNode().put("model", "blind2").put("stream", false);
        mismatched.putObject("files").put("tiny.gguf", upload(model)).put("mmproj.gguf", upload(wide));
        var refused = daemon.post("/api/create", mismatched);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("48 values").contains("embeddings of 32");
        assertThat(daemon.post("/api/show", "{\"model\": \"blind2\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void a_registry_projector_layer_comes_with_the_model_in_ollamas_and_dockers_layouts() throws Exception {
        assumeTrue(LocalRegistry.installed(), "docker-registry is not installed (.ci/run installs it)");
        write();
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
            byte[] gguf = Files.readAllBytes(model);
            byte[] mmproj = Files.readAllBytes(projector);
            ModelImages.withProjector(registry, "library/seer", "latest", gguf, mmproj, false);
            ModelImages.withProjector(registry, "ai/seer", "latest", gguf, mmproj, true);
            for (String[] pull : new String[][] {{"oseer", "oci://" + registry.host() + "/library/seer:latest"},
                    {"dseer", "oci://" + registry.host() + "/ai/seer:latest"}}) {
                ObjectNode body = Json.MAPPER.createObjectNode().put("name", pull[0]).put("unique", pull[0]);
                body.putObject("source").put("url", pull[1]);
                String id = ok(daemon.post("/models/create", body)).get("id").asText();
                assertThat(Downloading.download(daemon, id).path("downloaded").asBoolean()).as(pull[0]).isTrue();
                sees(pull[0]);
            }
        }
    }

    private String upload(Path file) throws Exception {
        byte[] data = Files.readAllBytes(file);
        String sha = "sha256:" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        var r = daemon.send(HttpRequest.newBuilder(daemon.uri("/api/blobs/" + sha))
                .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build());
        assertThat(r.statusCode()).isIn(200, 201);
        return sha;
    }
}
