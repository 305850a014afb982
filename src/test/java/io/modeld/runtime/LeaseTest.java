package io.modeld.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.engine.Sampling;
import io.modeld.testing.CoreFixture;
import io.modeld.testing.ManualClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window between a model's load and its use: an injected pause there, while another load evicts
 * the model (or the keep-alive sweep expires it), must not leave the request with a dead runner.
 */
class LeaseTest {

    @TempDir
    Path root;

    @Test
    void a_model_evicted_between_its_load_and_its_use_is_loaded_again_and_the_request_succeeds() throws Exception {
        // Room for one tiny model (each is estimated at about 80 MB, most of it the runner), not two.
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 120L << 20, null)) {
            String a = f.model("a", 1);
            String b = f.model("b", 2);
            CountDownLatch paused = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            f.scheduler.betweenLoadAndLease = id -> {
                if (id.equals(a) && paused.getCount() > 0) {
                    paused.countDown();
                    try {
                        resume.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            CompletableFuture<RunnerResult> request = CompletableFuture.supplyAsync(() -> f.generate(a,
                    LoadOptions.DEFAULT, new RunnerRequest("Hi", null, 4,
                            Sampling.DEFAULT.withSeed(1), List.of(), true)));
            assertThat(paused.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(f.scheduler.loaded(a)).isTrue();
            f.load(b);   // needs a's room: a is loaded but not yet in use, so it is evicted
            assertThat(f.scheduler.loaded(a)).isFalse();
            resume.countDown();

            RunnerResult done = request.get(90, TimeUnit.SECONDS);
            assertThat(done.tokens()).isEqualTo(4);
            assertThat(f.scheduler.loaded(a)).isTrue();
            assertThat(f.scheduler.loaded(b)).as("evicted in turn to make room for a again").isFalse();
        }
    }

    @Test
    void a_model_in_use_is_never_evicted_nor_expired() throws Exception {
        ManualClock clock = new ManualClock();
        try (CoreFixture f = new CoreFixture(root, clock, 120L << 20, Duration.ofMinutes(1))) {
            String a = f.model("a", 3);
            String b = f.model("b", 4);
            try (Lease lease = f.scheduler.lease(f.models.get(a), LoadOptions.DEFAULT)) {
                clock.advance(Duration.ofHours(1));
                f.scheduler.expireIdle();
                assertThat(f.scheduler.loaded(a)).as("held by a lease").isTrue();
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.load(b))
                        .hasMessageContaining("not enough memory");
                assertThat(lease.role().wire()).isEqualTo("generator");
            }
            f.load(b);
            assertThat(f.scheduler.loaded(a)).as("idle once its lease ended, so evicted").isFalse();
        }
    }
}
