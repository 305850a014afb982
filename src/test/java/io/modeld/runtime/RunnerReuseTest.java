package io.modeld.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.config.Config;
import io.modeld.config.DataDir;
import io.modeld.engine.Sampling;
import io.modeld.gguf.ModelRole;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.CoreFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runners that free their model and take the next: the memory goes back, and the next model works. */
class RunnerReuseTest {

    @TempDir
    Path root;

    @Test
    void a_runner_that_unloaded_its_model_is_back_near_a_fresh_ones_rss_and_serves_the_next_model() throws Exception {
        DataDir dataDir = new DataDir(root);
        Path small = root.resolve("small.gguf");
        Path tiny = root.resolve("tiny.gguf");
        TinyLlama.SMALL.write(small, 1);
        TinyLlama.TINY.write(tiny, 2);
        List<String> command = CoreFixture.runnerCommand(dataDir);
        try (ProcessRunner fresh = ProcessRunner.start(command, Config.DEFAULT_STEP_TIMEOUT);
             ProcessRunner reused = ProcessRunner.start(command, Config.DEFAULT_STEP_TIMEOUT)) {
            Thread.sleep(500);
            long freshRss = fresh.residentBytes();
            reused.load(new ModelRunner.Load(List.of(small), 2048, 2, ModelRole.GENERATOR, false, 1, 0, io.modeld.engine.KvCache.DEFAULT));
            generate(reused);
            long loadedRss = reused.residentBytes();
            reused.unload();
            Thread.sleep(500);
            long afterRss = reused.residentBytes();
            System.out.printf("runner RSS: fresh %d MB, with the 135 MB model %d MB, after unload %d MB%n",
                    freshRss >> 20, loadedRss >> 20, afterRss >> 20);
            assertThat(loadedRss - freshRss).as("the model was in memory").isGreaterThan(100L << 20);
            assertThat((double) afterRss).as("after unload, within 10% of a fresh runner")
                    .isCloseTo(freshRss, org.assertj.core.data.Percentage.withPercentage(10));

            reused.load(new ModelRunner.Load(List.of(tiny), 256, 2, ModelRole.GENERATOR, false, 1, 0, io.modeld.engine.KvCache.DEFAULT));
            assertThat(generate(reused).tokens()).isEqualTo(4);
        }
    }

    private static RunnerResult generate(ProcessRunner r) throws RunnerFailure {
        return r.generate(new RunnerRequest("Hello", null, 4, Sampling.DEFAULT.withSeed(1), List.of(), true),
                t -> { });
    }
}
