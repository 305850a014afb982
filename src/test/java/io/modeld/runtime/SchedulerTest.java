package io.modeld.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.modeld.ModeldException;
import io.modeld.engine.Sampling;
import io.modeld.testing.CoreFixture;
import io.modeld.testing.FakeRunners;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler on fake runners: budget, eviction, shared loads, the queue and runners that die, in
 * milliseconds. What llama.cpp itself does in a runner is {@code RuntimeTest}'s.
 */
class SchedulerTest {

    @TempDir
    Path root;

    private static RunnerRequest tokens(int n) {
        return new RunnerRequest("Hi", null, n, Sampling.DEFAULT.withSeed(1), List.of(), true);
    }

    @Test
    void a_load_that_does_not_fit_evicts_the_least_recently_used_idle_model() throws Exception {
        // Room for two tiny models (each estimated at about 80 MB, most of it the runner), not three.
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 200L << 20, null)) {
            String a = f.model("a", 1);
            String b = f.model("b", 2);
            String c = f.model("c", 3);
            f.load(a);
            f.load(b);
            Thread.sleep(5);
            f.generate(a, LoadOptions.DEFAULT, tokens(1));
            f.load(c);
            assertThat(f.scheduler.loaded(b)).as("b, least recently used").isFalse();
            assertThat(f.scheduler.loaded(a)).isTrue();
            assertThat(f.scheduler.loaded(c)).isTrue();
            assertThat(f.fakes.alive()).hasSize(2);
        }
    }

    @Test
    void what_can_never_fit_and_what_is_not_downloaded_are_refused_and_start_no_runner() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 16L << 20, null)) {
            String big = f.model("big", 1);
            assertThatThrownBy(() -> f.load(big)).isInstanceOfSatisfying(ModeldException.class, e -> {
                assertThat(e.kind()).isEqualTo(ModeldException.Kind.INSUFFICIENT_STORAGE);
                assertThat(e.getMessage()).contains("available of the " + (16L << 20) + "-byte budget");
            });
            String bare = f.models.create(io.modeld.Json.MAPPER.createObjectNode().put("name", "bare")).id();
            assertThatThrownBy(() -> f.load(bare)).isInstanceOfSatisfying(ModeldException.class, e -> {
                assertThat(e.kind()).isEqualTo(ModeldException.Kind.CONFLICT);
                assertThat(e.hint()).isEqualTo(ModeldException.Hint.DOWNLOAD_FIRST);
            });
            assertThat(f.fakes.started()).isEmpty();
        }
    }

    @Test
    void concurrent_loads_of_one_model_share_one_runner() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 4L << 30, null)) {
            String id = f.model("shared", 1);
            List<CompletableFuture<Void>> loads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                loads.add(CompletableFuture.runAsync(() -> f.load(id)));
            }
            CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(f.fakes.started()).hasSize(1);
            assertThat(f.fakes.started().get(0).loads).hasSize(1);
        }
    }

    @Test
    void four_slots_serve_four_requests_at_once_and_the_fifth_waits_for_one() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 4L << 30, null)) {
            String id = f.model("slots", 1);
            f.load(id);
            assertThat(f.fakes.started().get(0).parallel).as("auto: four slots").isEqualTo(4);
            f.fakes.free = false;
            List<CompletableFuture<RunnerResult>> running = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                running.add(CompletableFuture.supplyAsync(() -> f.generate(id, LoadOptions.DEFAULT, tokens(1))));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> f.scheduler.loadedModels().get(0).waiting() == 1);
            LoadedModel view = f.scheduler.loadedModels().get(0);
            assertThat(view.slots()).isEqualTo(4);
            assertThat(view.busySlots()).isEqualTo(4);
            assertThat(f.fakes.started().get(0).generating.get()).as("four in the runner at once").isEqualTo(4);
            f.fakes.step.release(5);
            for (var r : running) {
                assertThat(r.get(10, TimeUnit.SECONDS).tokens()).isEqualTo(1);
            }
            assertThat(f.scheduler.loadedModels().get(0).busySlots()).isZero();
        }
    }

    @Test
    void a_parallel_setting_whose_kv_cache_does_not_fit_is_refused_and_auto_takes_fewer_slots() throws Exception {
        // A tiny model's KV cache is 128 bytes a token: 256 MB for a slot of 2M tokens.
        LoadOptions huge = new LoadOptions(2_000_000, null);
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 700L << 20, null)) {
            String id = f.model("wide", 1);
            f.scheduler.setParallel(4);
            assertThatThrownBy(() -> f.generate(id, huge, tokens(1))).isInstanceOfSatisfying(ModeldException.class, e -> {
                assertThat(e.kind()).isEqualTo(ModeldException.Kind.INSUFFICIENT_STORAGE);
                assertThat(e.getMessage()).contains("with 4 slots of 2000128 tokens").contains("lower parallel");
            });
            assertThat(f.fakes.started()).isEmpty();
            f.scheduler.setParallel(0);
            assertThat(f.generate(id, huge, tokens(1)).tokens()).isEqualTo(1);
            assertThat(f.scheduler.loadedModels().get(0).slots()).as("auto: the most that fit").isEqualTo(2);
        }
    }

    @Test
    void with_parallel_1_beyond_one_running_and_eight_waiting_a_request_is_refused_as_busy_and_the_queue_drains()
            throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 4L << 30, null)) {
            String id = f.model("busy", 1);
            f.scheduler.setParallel(1);
            f.load(id);
            f.fakes.free = false;
            List<CompletableFuture<RunnerResult>> queued = new ArrayList<>();
            for (int i = 0; i < 1 + Lease.MAX_WAITING; i++) {
                queued.add(CompletableFuture.supplyAsync(() -> f.generate(id, LoadOptions.DEFAULT, tokens(2))));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> f.scheduler.loadedModels().get(0).waiting()
                    == Lease.MAX_WAITING);
            assertThat(f.scheduler.loadedModels().get(0).busy()).isTrue();
            assertThatThrownBy(() -> f.generate(id, LoadOptions.DEFAULT, tokens(2)))
                    .isInstanceOfSatisfying(ModeldException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ModeldException.Kind.BUSY);
                        assertThat(e.getMessage()).contains("busy with 8 requests waiting");
                    });
            f.fakes.step.release(2 * queued.size());
            for (var q : queued) {
                assertThat(q.get(10, TimeUnit.SECONDS).tokens()).isEqualTo(2);
            }
            assertThat(f.scheduler.loadedModels().get(0).busy()).isFalse();
        }
    }

    @Test
    void embedding_requests_wait_in_the_same_queue() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 4L << 30, null)) {
            String id = f.model("pooled", 1);
            f.scheduler.setParallel(1);
            f.load(id);
            f.fakes.free = false;
            List<CompletableFuture<RunnerResult>> queued = new ArrayList<>();
            for (int i = 0; i < 1 + Lease.MAX_WAITING; i++) {
                queued.add(CompletableFuture.supplyAsync(() -> f.generate(id, LoadOptions.DEFAULT, tokens(1))));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> f.scheduler.loadedModels().get(0).waiting()
                    == Lease.MAX_WAITING);
            try (Lease lease = f.scheduler.lease(f.models.get(id), LoadOptions.DEFAULT)) {
                assertThatThrownBy(() -> lease.pool(null, List.of("x"), null, true))
                        .isInstanceOfSatisfying(ModeldException.class,
                                e -> assertThat(e.kind()).isEqualTo(ModeldException.Kind.BUSY));
            }
            f.fakes.step.release(queued.size());
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void another_context_reloads_an_idle_model_and_waits_for_one_in_use() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 4L << 30, null)) {
            String id = f.model("ctx", 1);
            f.load(id);
            try (Lease held = f.scheduler.lease(f.models.get(id), LoadOptions.DEFAULT)) {
                try (Lease other = f.scheduler.lease(f.models.get(id), new LoadOptions(512, null))) {
                    assertThat(other.context()).as("in use: it keeps its context").isEqualTo(held.context());
                }
            }
            try (Lease bigger = f.scheduler.lease(f.models.get(id), new LoadOptions(512, null))) {
                assertThat(bigger.context()).isEqualTo(512);
            }
            assertThat(f.fakes.started()).hasSize(2);
            assertThat(f.fakes.alive()).hasSize(1);
        }
    }

    @Test
    void a_runner_that_dies_unloads_its_model_and_the_next_request_loads_it_again() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 4L << 30, null)) {
            String id = f.model("dies", 1);
            f.load(id);
            f.fakes.started().get(0).die();
            assertThat(f.scheduler.loaded(id)).isFalse();
            assertThat(f.generate(id, LoadOptions.DEFAULT, tokens(3)).tokens()).isEqualTo(3);
            assertThat(f.fakes.alive()).hasSize(1).doesNotContain(f.fakes.started().get(0));
        }
    }

    @Test
    void memory_in_use_counts_the_larger_of_estimate_and_resident_size() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 4L << 30, null)) {
            String id = f.model("rss", 1);
            f.load(id);
            long estimate = f.scheduler.loadedModels().get(0).estimate();
            assertThat(f.scheduler.used()).isEqualTo(estimate);
            f.fakes.resident = estimate + (100L << 20);
            assertThat(f.scheduler.used()).isEqualTo(estimate + (100L << 20));
        }
    }

    @Test
    void a_template_check_runs_in_a_runner_of_its_own_counted_in_the_budget_and_limited_then_ended() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 1L << 30, null)) {
            f.fakes.holdChecks = true;
            CompletableFuture<java.util.Map<String, Object>> caps = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.scheduler.templateCaps("{{ tools }}", "", "");
                } catch (RunnerFailure e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> f.scheduler.used() == TemplateChecks.CHECK_BYTES);
            FakeRunners.Fake checker = f.fakes.checkers().get(0);
            assertThat(checker.capsLimit).isEqualTo(TemplateChecks.CHECK_BYTES);
            f.fakes.step.release();
            assertThat(caps.get(5, TimeUnit.SECONDS)).containsEntry("supports_tools", true);
            assertThat(checker.alive()).as("ended after its check").isFalse();
            assertThat(f.scheduler.used()).isZero();
        }
    }

    @Test
    void a_template_check_evicts_no_model_when_the_budget_is_full() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 200L << 20, null)) {
            String a = f.model("a", 1);
            f.load(a);
            assertThatThrownBy(() -> f.scheduler.templateCaps("{{ x }}", "", ""))
                    .isInstanceOfSatisfying(ModeldException.class, e -> assertThat(e.kind())
                            .isEqualTo(ModeldException.Kind.INSUFFICIENT_STORAGE));
            assertThat(f.scheduler.loaded(a)).isTrue();
            assertThat(f.fakes.checkers()).as("no checking runner started").isEmpty();
        }
    }

    @Test
    void a_load_that_throws_an_error_ends_for_every_request_that_joined_it() throws Exception {
        try (CoreFixture f = new CoreFixture(root, Clock.systemUTC(), 1L << 30, null)) {
            String a = f.model("a", 1);
            f.fakes.free = false;
            f.fakes.loadError = new OutOfMemoryError("a load that failed as no RunnerFailure does");
            List<CompletableFuture<RunnerResult>> joined = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                joined.add(CompletableFuture.supplyAsync(() -> f.generate(a, LoadOptions.DEFAULT, tokens(1))));
            }
            Thread.sleep(500);   // the others join the first one's load, which waits for the step below
            f.fakes.step.release();
            for (CompletableFuture<RunnerResult> j : joined) {
                assertThatThrownBy(() -> j.get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(OutOfMemoryError.class);
            }
            f.fakes.free = true;
            assertThat(f.generate(a, LoadOptions.DEFAULT, tokens(1)).tokens()).as("the next load works").isEqualTo(1);
        }
    }
}
