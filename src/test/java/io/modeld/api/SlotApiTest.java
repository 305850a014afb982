package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama-server's slot API through the daemon: a slot's prefix saved to a file, erased, restored, and then used
 * by the next request as if it had never left; file names confined to the data dir's slots folder; a file cut
 * short or not of this model refused in words, the slot left as it was.
 */
class SlotApiTest {

    private static final String SESSION = "The fox ran along the bank of the river every morning, and the heron "
            + "watched it from the reeds until the sun was high.";

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().parallel(2).build());
    @TempDir
    Path files;

    private JsonNode complete(String prompt) {
        return ok(daemon.post("/v1/completions", Json.MAPPER.createObjectNode().put("model", "tiny")
                .put("prompt", prompt).put("max_tokens", 6).put("temperature", 0)));
    }

    private HttpResponse<String> act(int slot, String action, String filename) {
        return daemon.post("/slots/" + slot + "?model=tiny&action=" + action, filename == null ? "{}"
                : Json.MAPPER.createObjectNode().put("filename", filename).toString());
    }

    private int busySlot() {
        for (JsonNode s : ok(daemon.get("/slots?model=tiny"))) {
            if (s.path("n_past").asInt() > 0) {
                return s.path("id").asInt();
            }
        }
        throw new AssertionError("no slot holds anything");
    }

    @Test
    void a_slot_saved_erased_and_restored_serves_the_next_request_from_its_cache() throws Exception {
        Path file = files.resolve("tiny.gguf");
        TinyLlama.TINY.write(file, 31);
        Downloading.downloaded(daemon, file, "tiny");
        JsonNode first = complete(SESSION);
        int promptTokens = first.at("/usage/prompt_tokens").asInt();
        JsonNode slots = ok(daemon.get("/slots?model=tiny"));
        assertThat(slots).hasSize(2);
        assertThat(slots.get(0).path("n_ctx").asInt()).isPositive();
        int id = busySlot();
        int held = slots.get(id).path("n_past").asInt();
        assertThat(held).isGreaterThanOrEqualTo(promptTokens);

        JsonNode saved = ok(act(id, "save", "session-1.bin"));
        assertThat(saved.path("id_slot").asInt()).isEqualTo(id);
        assertThat(saved.path("n_saved").asInt()).isEqualTo(held);
        Path stored = daemon.dataDir().resolve("slots").resolve("session-1.bin");
        assertThat(stored).isRegularFile();
        assertThat(saved.path("n_written").asLong()).isEqualTo(Files.size(stored));

        assertThat(ok(act(id, "erase", null)).path("n_erased").asInt()).isEqualTo(held);
        assertThat(ok(daemon.get("/slots?model=tiny")).get(id).path("n_past").asInt()).isZero();

        JsonNode restored = ok(act(id, "restore", "session-1.bin"));
        assertThat(restored.path("n_restored").asInt()).isEqualTo(held);
        JsonNode again = complete(SESSION);
        assertThat(again.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(promptTokens - 1);
        assertThat(again.at("/choices/0/text").asText()).isEqualTo(first.at("/choices/0/text").asText());
    }

    @Test
    void names_outside_the_folder_and_files_not_of_this_model_are_refused_and_change_nothing() throws Exception {
        Path file = files.resolve("tiny.gguf");
        TinyLlama.TINY.write(file, 32);
        Downloading.downloaded(daemon, file, "tiny");
        complete(SESSION);
        int id = busySlot();
        int held = ok(daemon.get("/slots?model=tiny")).get(id).path("n_past").asInt();
        for (String name : new String[] {"../escape.bin", "/tmp/escape.bin", ".hidden", "a/b.bin", "", "x".repeat(129)}) {
            HttpResponse<String> r = act(id, "save", name);
            assertThat(r.statusCode()).as(name).isEqualTo(400);
            assertThat(r.body()).contains("filename");
        }
        assertThat(daemon.dataDir().resolve("escape.bin")).doesNotExist();
        assertThat(daemon.dataDir().resolve("slots")).doesNotExist();

        Files.createDirectories(daemon.dataDir().resolve("slots"));
        Files.writeString(daemon.dataDir().resolve("slots").resolve("garbage.bin"), "not a state at all");
        HttpResponse<String> garbage = act(id, "restore", "garbage.bin");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("not a modeld prompt file");
        HttpResponse<String> missing = act(id, "restore", "never-saved.bin");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("there is no saved slot never-saved.bin");

        ok(act(id, "save", "whole.bin"));
        Path whole = daemon.dataDir().resolve("slots").resolve("whole.bin");
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(whole, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        HttpResponse<String> cut = act(id, "restore", "whole.bin");
        assertThat(cut.statusCode()).isEqualTo(400);
        assertThat(cut.body()).contains("cut short");
        assertThat(ok(daemon.get("/slots?model=tiny")).get(id).path("n_past").asInt()).as("the slot kept its prefix")
                .isEqualTo(held);

        assertThat(act(9, "erase", null).statusCode()).isEqualTo(400);
        assertThat(act(9, "erase", null).body()).contains("there is no slot 9");
        assertThat(act(id, "shred", null).statusCode()).isEqualTo(400);
    }
}
