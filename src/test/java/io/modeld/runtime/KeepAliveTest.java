package io.modeld.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.engine.Sampling;
import io.modeld.testing.CoreFixture;
import io.modeld.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keep-alive on a clock the test moves by hand: nothing sleeps. */
class KeepAliveTest {

    @TempDir
    Path root;

    private static RunnerRequest hi() {
        return new RunnerRequest("Hi", null, 2, Sampling.DEFAULT.withSeed(1), List.of(), false);
    }

    @Test
    void unloads_a_model_idle_for_the_keep_alive_and_keeps_a_recently_used_one() throws Exception {
        ManualClock clock = new ManualClock();
        try (CoreFixture f = new CoreFixture(root, clock, 4L << 30, Duration.ofMinutes(5))) {
            String idle = f.model("idle", 1);
            String busy = f.model("busy", 2);
            f.load(idle);
            f.load(busy);
            clock.advance(Duration.ofMinutes(4));
            f.generate(busy, LoadOptions.DEFAULT, hi());
            clock.advance(Duration.ofMinutes(2));

            f.scheduler.expireIdle();
            assertThat(f.scheduler.loaded(idle)).as("idle for 6 minutes").isFalse();
            assertThat(f.scheduler.loaded(busy)).as("used 2 minutes ago").isTrue();

            clock.advance(Duration.ofMinutes(3));
            f.scheduler.expireIdle();
            assertThat(f.scheduler.loaded(busy)).isFalse();
            assertThat(f.fakes.alive()).as("no runner left").isEmpty();
        }
    }

    @Test
    void a_request_sets_its_models_keep_alive_from_then_on_and_zero_unloads_after_it() throws Exception {
        ManualClock clock = new ManualClock();
        try (CoreFixture f = new CoreFixture(root, clock, 4L << 30, Duration.ofMinutes(5))) {
            String forever = f.model("forever", 3);
            String brief = f.model("brief", 4);
            String once = f.model("once", 5);
            f.generate(forever, new LoadOptions(0, Duration.ofSeconds(-1)), hi());
            f.generate(brief, new LoadOptions(0, Duration.ofSeconds(30)), hi());
            f.generate(brief, LoadOptions.DEFAULT, hi());
            f.generate(once, new LoadOptions(0, Duration.ZERO), hi());
            assertThat(f.scheduler.loaded(once)).as("keep_alive 0: unloaded once its request was done").isFalse();

            clock.advance(Duration.ofSeconds(31));
            f.scheduler.expireIdle();
            assertThat(f.scheduler.loaded(brief)).as("its own 30 s, kept by a later request without one").isFalse();
            clock.advance(Duration.ofDays(2));
            f.scheduler.expireIdle();
            assertThat(f.scheduler.loaded(forever)).as("a negative keep-alive is for ever").isTrue();
            LoadedModel shown = f.scheduler.loadedModels().get(0);
            assertThat(shown.expiresAt()).isEqualTo(-1);
        }
    }
}
