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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prompt cache through the daemon, with one slot and more prompts than slots: a session whose slot went to
 * another prompt finds its prefix in the RAM tier (the usage says how much was cached, the answer is the same,
 * {@code /memory} counts the hit); the model unloaded and the daemon restarted, the prefix comes from the data
 * dir. {@code --cache-ram 0} turns it off.
 */
class PromptCacheDaemonTest {

    private static final String SESSION = "You are a careful assistant. The file under review reads: the fox ran along "
            + "the bank of the river every morning, and the heron watched it from the reeds. Summarise it: ";

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().parallel(1).build());
    @TempDir
    Path files;

    private void tiny() throws Exception {
        Path file = files.resolve("tiny.gguf");
        TinyLlama.TINY.write(file, 21);
        Downloading.downloaded(daemon, file, "tiny");
    }

    private JsonNode complete(String prompt) {
        return ok(daemon.post("/v1/completions", Json.MAPPER.createObjectNode().put("model", "tiny")
                .put("prompt", prompt).put("max_tokens", 6).put("temperature", 0)));
    }

    private static int cached(JsonNode answer) {
        return answer.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt(-1);
    }

    @Test
    void a_session_whose_slot_went_elsewhere_finds_its_prefix_in_ram_then_on_disk_after_a_restart() throws Exception {
        tiny();
        JsonNode first = complete(SESSION);
        int promptTokens = first.path("usage").path("prompt_tokens").asInt();
        assertThat(cached(first)).isZero();
        complete("Another session altogether, with a different opening that shares nothing with the first one.");

        JsonNode again = complete(SESSION);
        assertThat(cached(again)).as("restored from the RAM tier").isEqualTo(promptTokens - 1);
        assertThat(again.at("/choices/0/text").asText()).isEqualTo(first.at("/choices/0/text").asText());
        JsonNode cache = ok(daemon.get("/memory")).at("/loaded/0/promptCache");
        assertThat(cache.path("hits").asLong()).isEqualTo(1);
        assertThat(cache.path("ramEntries").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(cache.path("ramBytes").asLong()).isPositive().isLessThanOrEqualTo(cache.path("ramLimit").asLong());

        daemon.restart();   // the runner writes its prefixes as it ends
        assertThat(promptFiles()).as("written to the data dir").isNotEmpty();
        JsonNode afterRestart = complete(SESSION);
        assertThat(cached(afterRestart)).as("read from disk").isEqualTo(promptTokens - 1);
        assertThat(afterRestart.at("/choices/0/text").asText()).isEqualTo(first.at("/choices/0/text").asText());
    }

    private java.util.List<Path> promptFiles() throws Exception {
        Path root = daemon.dataDir().resolve("prompt-cache");
        if (!Files.isDirectory(root)) {
            return java.util.List.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.toString().endsWith(".prompt")).toList();
        }
    }
}
