package io.modeld.runtime;

import io.modeld.testing.Runners;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelStore;
import io.modeld.config.DataDir;
import io.modeld.engine.Sampling;
import io.modeld.gguf.TinyLlama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keep-alive on a clock the test moves by hand: nothing sleeps. */
class KeepAliveTest {

    @TempDir
    Path root;

    /** A clock that only moves when told. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void unloads_a_model_idle_for_the_keep_alive_and_keeps_a_recently_used_one() throws Exception {
        DataDir dataDir = new DataDir(root);
        dataDir.create();
        ManualClock clock = new ManualClock();
        try (ModelStore store = ModelStore.open(root)) {
            ModelService models = new ModelService(store, clock, dataDir);
            models.start(List.of());
            String idle = model(models, dataDir, "idle", 1);
            String busy = model(models, dataDir, "busy", 2);
            List<String> command = RunnerLauncher.command(RunnerLauncher.llamaDir(null, dataDir.lib()), dataDir.lib());
            try (RunnerRuntime runtime = new RunnerRuntime(models, dataDir, 4L << 30, clock, id -> false,
                    () -> command, false, Duration.ofMinutes(5))) {
                runtime.load(idle);
                runtime.load(busy);
                clock.advance(Duration.ofMinutes(4));
                runtime.generate(busy, RunnerRuntime.LoadOptions.DEFAULT, new GenerateRequest("Hi", null, null, 2,
                        Sampling.DEFAULT.withSeed(1), List.of(), false), t -> { });
                clock.advance(Duration.ofMinutes(2));

                runtime.expireIdle();
                assertThat(runtime.loaded(idle)).as("idle for 6 minutes").isFalse();
                assertThat(runtime.loaded(busy)).as("used 2 minutes ago").isTrue();

                clock.advance(Duration.ofMinutes(3));
                runtime.expireIdle();
                assertThat(runtime.loaded(busy)).isFalse();
                assertThat(Runners.running()).isEmpty();
            }
        }
    }

    /** A model whose verified file is in place, as a finished download leaves it. */
    private static String model(ModelService models, DataDir dataDir, String unique, long seed) throws Exception {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", unique).put("unique", unique);
        String id = models.create(body).id();
        Files.createDirectories(dataDir.model(id));
        Path file = dataDir.model(id).resolve(unique + ".gguf");
        TinyLlama.TINY.write(file, seed);
        models.markDownloaded(id, new ModelRecord.LocalFile(file.getFileName().toString(), Files.size(file), null));
        return id;
    }
}
