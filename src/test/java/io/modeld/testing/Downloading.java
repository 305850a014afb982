package io.modeld.testing;

import static io.modeld.testing.TestDaemon.ok;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Custom models with a source, and waiting for their download to end, for the tests that download. */
public final class Downloading {

    /** How long any test download may take before the test gives up. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    private Downloading() {
    }

    /** Creates a custom model whose source is {@code url}; {@code sha256} and {@code size} may be null. */
    public static String createModel(TestDaemon daemon, String unique, String url, String sha256, Integer size) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", unique).put("unique", unique);
        ObjectNode source = body.putObject("source").put("url", url);
        if (sha256 != null) {
            source.put("sha256", sha256);
        }
        if (size != null) {
            body.putObject("bytes").put("value", size);
        }
        return ok(daemon.post("/models/create", body)).get("id").asText();
    }

    /** Writes a tiny model, creates it from its file and downloads (copies) it; returns its id. */
    public static String tinyModel(TestDaemon daemon, Path dir, String unique, long seed) throws Exception {
        Path file = dir.resolve(unique + ".gguf");
        TinyLlama.TINY.write(file, seed);
        return downloaded(daemon, file, unique);
    }

    /** Creates a custom model of a local file and downloads (copies) it; returns its id once COMPLETED. */
    public static String downloaded(TestDaemon daemon, Path file, String unique) throws Exception {
        return downloaded(daemon, file, unique, Json.MAPPER.createObjectNode());
    }

    /** The same with more fields of the model ({@code context}, say). */
    public static String downloaded(TestDaemon daemon, Path file, String unique, ObjectNode fields) throws Exception {
        ObjectNode body = fields.deepCopy().put("name", unique).put("unique", unique);
        body.putObject("source").put("url", file.toUri().toString());
        String id = ok(daemon.post("/models/create", body)).get("id").asText();
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            JsonNode model = awaitTerminal(daemon, id, frames);
            if (!model.path("downloaded").asBoolean()) {
                throw new AssertionError("the download of " + file + " did not complete: " + frames.last());
            }
        }
        return id;
    }

    /** A model made of a source and downloaded: its id, last progress frame, and the model then. */
    public record Pulled(String id, JsonNode frame, JsonNode model) {
        public String status() {
            return frame.get("status").asText();
        }
    }

    /** Downloads model {@code id} and waits for the end, whatever it is; the model then. */
    public static JsonNode download(TestDaemon daemon, String id) throws Exception {
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            ok(daemon.post("/model/" + id + "/download", ""));
            return awaitTerminal(daemon, id, frames);
        }
    }

    /** Creates a custom model named {@code name} of {@code url}, downloads it and waits for the end, whatever it is. */
    public static Pulled fromSource(TestDaemon daemon, String name, String url) throws Exception {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", name);
        body.putObject("source").put("url", url);
        String id = ok(daemon.post("/models/create", body)).get("id").asText();
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            ok(daemon.post("/model/" + id + "/download", ""));
            JsonNode model = awaitTerminal(daemon, id, frames);
            return new Pulled(id, frames.last(), model);
        }
    }

    /** Waits for the terminal progress frame and returns the model as it is then. */
    public static JsonNode awaitTerminal(TestDaemon daemon, String id, ProgressFrames frames) {
        try {
            await().atMost(WAIT).until(() -> frames.last() != null
                    && List.of("COMPLETED", "FAILED", "CANCELED").contains(frames.last().get("status").asText()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no terminal frame; frames " + frames.frames() + "; model now "
                    + daemon.get("/model/" + id).body(), e);
        }
        return ok(daemon.get("/model/" + id));
    }
}
