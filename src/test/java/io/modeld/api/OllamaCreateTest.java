package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.FileServer;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Ollama's blob upload and create with input a client chose: names, shapes and what a crash leaves. */
class OllamaCreateTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();

    @TempDir
    Path tmp;
    private String digest;

    @BeforeEach
    void upload() throws Exception {
        Path file = tmp.resolve("tiny.gguf");
        TinyLlama.TINY.write(file, 1);
        byte[] gguf = Files.readAllBytes(file);
        digest = "sha256:" + FileServer.sha256(gguf);
        HttpResponse<String> r = daemon.send(HttpRequest.newBuilder(daemon.uri("/api/blobs/" + digest))
                .POST(HttpRequest.BodyPublishers.ofByteArray(gguf)).build());
        assertThat(r.statusCode()).isEqualTo(201);
    }

    @Test
    void a_file_named_as_a_part_of_a_split_model_stays_one_file_across_a_restart() {
        String lines = daemon.post("/api/create", "{\"model\": \"parted\", \"files\": {\"x-00001-of-99999.gguf\": \""
                + digest + "\"}, \"stream\": false}").body();
        assertThat(lines).contains("success");
        daemon.restart();
        JsonNode tags = ok(daemon.get("/api/tags"));
        assertThat(tags.get("models")).extracting(m -> m.get("name").asText()).contains("parted:latest");
        JsonNode show = ok(daemon.post("/api/show", "{\"model\": \"parted\"}"));
        assertThat(show.get("model_info").get("general.architecture").asText()).isEqualTo("llama");
    }

    @Test
    void files_that_are_not_an_object_are_a_400_and_create_nothing() {
        HttpResponse<String> r = daemon.post("/api/create", "{\"model\": \"arr\", \"files\": [\"" + digest + "\"]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("files: must be an object");
        assertThat(daemon.post("/api/show", "{\"model\": \"arr\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void a_null_parameter_is_a_400_naming_it() {
        HttpResponse<String> r = daemon.post("/api/create", "{\"model\": \"nul\", \"files\": {\"m.gguf\": \"" + digest
                + "\"}, \"parameters\": {\"temperature\": null}, \"stream\": false}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("parameters.temperature");
        assertThat(daemon.post("/api/show", "{\"model\": \"nul\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void uploads_left_by_a_crash_and_blobs_no_create_took_are_removed_at_start() throws Exception {
        Path blobs = daemon.dataDir().resolve("blobs");
        Files.writeString(blobs.resolve("upload-123.part"), "half an upload");
        Path mine = Files.writeString(blobs.resolve("notes.txt"), "not modeld's name");
        assertThat(blobs.resolve(digest.replace(':', '-'))).exists();
        daemon.restart();
        assertThat(blobs.resolve("upload-123.part")).doesNotExist();
        assertThat(blobs.resolve(digest.replace(':', '-'))).doesNotExist();
        assertThat(mine).exists();
    }
}
