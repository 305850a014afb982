package io.modeld.runtime;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.testing.Downloading;
import io.modeld.testing.Runners;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** With a spare runner (as {@code modeld serve} runs), a load takes the waiting runner and the next spare starts. */
class SpareRunnerTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().spareRunner(true).build());
    @TempDir
    Path files;

    /** The spare runner as {@code GET /memory} shows it, or null when none is waiting. */
    private JsonNode spare() {
        JsonNode spare = ok(daemon.get("/memory")).get("spare");
        return spare == null || spare.isNull() ? null : spare;
    }

    @Test
    void a_load_takes_the_spare_runner_and_another_one_starts() throws Exception {
        String id = Downloading.tinyModel(daemon, files, "tiny", 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> spare() != null);
        long sparePid = spare().get("pid").asLong();
        assertThat(spare().get("resident").asLong()).as("what the spare costs").isPositive();

        ok(daemon.post("/model/" + id + "/load", ""));
        JsonNode loaded = ok(daemon.get("/memory")).get("loaded").get(0);
        assertThat(loaded.get("pid").asLong()).as("the model went into the runner that was waiting").isEqualTo(sparePid);
        await().atMost(Duration.ofSeconds(60)).until(() -> spare() != null && spare().get("pid").asLong() != sparePid);
        assertThat(Runners.running()).hasSize(2);

        ok(daemon.post("/model/" + id + "/unload", ""));
        assertThat(Runners.running()).as("a spare is waiting already, so the freed runner ends").hasSize(1);
    }
}
