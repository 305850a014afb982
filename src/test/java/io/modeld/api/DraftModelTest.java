package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A draft model named in a model's Modelfile ({@code PARAMETER draft_model}, here through Ollama's
 * {@code /api/create}), loaded beside it in its runner: the drafts it makes are counted in {@code /memory}, and a
 * copy of the model's own weights drafts exactly what the model samples, so nearly all are kept. A draft model
 * that is not there leaves the model loading and answering without one.
 */
class DraftModelTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    private JsonNode complete(String model, String prompt) {
        return ok(daemon.post("/v1/completions", Json.MAPPER.createObjectNode().put("model", model)
                .put("prompt", prompt).put("max_tokens", 48).put("temperature", 0)));
    }

    @Test
    void a_draft_model_from_the_modelfile_drafts_and_its_tokens_are_kept() throws Exception {
        Path big = files.resolve("big.gguf");
        TinyLlama.TINY.write(big, 51);
        Path copy = Files.copy(big, files.resolve("drafter.gguf"));
        Downloading.downloaded(daemon, big, "big");
        Downloading.downloaded(daemon, copy, "drafter");
        ok(daemon.post("/api/create", "{\"model\": \"big-drafted\", \"from\": \"big\", \"stream\": false,"
                + " \"parameters\": {\"draft_model\": \"drafter\"}}"));
        String plain = complete("big", "The keeper of the lighthouse").at("/choices/0/text").asText();
        String drafted = complete("big-drafted", "The keeper of the lighthouse").at("/choices/0/text").asText();
        assertThat(drafted).isEqualTo(plain);
        JsonNode loaded = null;
        for (JsonNode m : ok(daemon.get("/memory")).get("loaded")) {
            if (m.path("unique").asText().startsWith("big-drafted")) {
                loaded = m;
            }
        }
        assertThat(loaded).as("big-drafted is loaded").isNotNull();
        long drafts = loaded.at("/drafts/drafted").asLong();
        assertThat(drafts).as("drafted").isPositive();
        assertThat(loaded.at("/drafts/accepted").asLong()).as("kept").isGreaterThan(drafts * 8 / 10);
        assertThat(daemon.logs()).doesNotContain("drafts without");
    }

    @Test
    void a_draft_model_that_is_not_there_leaves_the_model_answering_without_one() throws Exception {
        Path big = files.resolve("big.gguf");
        TinyLlama.TINY.write(big, 52);
        Downloading.downloaded(daemon, big, "big");
        ok(daemon.post("/api/create", "{\"model\": \"big-missing\", \"from\": \"big\", \"stream\": false,"
                + " \"parameters\": {\"draft_model\": \"no-such-model\"}}"));
        assertThat(complete("big-missing", "The keeper").at("/choices/0/text").asText()).isNotEmpty();
        assertThat(daemon.logs()).contains("its draft model 'no-such-model' is not a model here");
    }
}
