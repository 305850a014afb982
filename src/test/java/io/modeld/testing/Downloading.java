package io.modeld.testing;

import static io.modeld.testing.TestDaemon.ok;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
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
