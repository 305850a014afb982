package io.modeld.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The watchdog's rules, driven by hand (no thread, no sleep): what it aborts, what ends the runner, and when. */
class StepWatchTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final StepWatch.Lane decode = new StepWatch.Lane();
    private final StepWatch.Lane prepare = new StepWatch.Lane();
    private final Set<Long> stopped = new HashSet<>();
    private final List<String> done = new ArrayList<>();
    private boolean abortable = true;
    private final StepWatch watch = new StepWatch(List.of(decode, prepare), stopped::contains, new StepWatch.Actions() {
        @Override
        public boolean abort(StepWatch.Step step, String reason) {
            done.add("abort " + step.decode() + ": " + reason);
            return abortable;
        }

        @Override
        public void expire(StepWatch.Step step, String reason) {
            done.add("expire " + step.what() + ": " + reason);
        }

        @Override
        public void beat() {
            done.add("beat");
        }
    });

    @Test
    void a_step_within_its_deadline_is_left_alone() {
        prepare.begin("rendering the chat template", 2 * SECOND, 7);
        long start = prepare.step().started();
        watch.check(start + SECOND);
        assertThat(done).isEmpty();
    }

    @Test
    void a_render_past_its_deadline_ends_the_runner_naming_the_step_and_the_limit() {
        prepare.begin("rendering the chat template", 2 * SECOND, 7);
        watch.check(prepare.step().started() + 3 * SECOND);
        assertThat(done).containsExactly("expire rendering the chat template: took more than 2 s rendering the chat "
                + "template (the limit of one step, --step-timeout)");
    }

    @Test
    void a_decode_past_its_deadline_is_aborted_once_then_ends_the_runner_if_it_does_not_stop() {
        decode.decoding(41, 2 * SECOND, new long[] {1, 2});
        long start = decode.step().started();
        watch.check(start + 3 * SECOND);
        watch.check(start + 4 * SECOND);
        assertThat(done).containsExactly("abort 41: took more than 2 s decoding (the limit of one step, --step-timeout)");
        watch.check(start + 9 * SECOND);
        assertThat(done).contains("expire decoding: did not stop 5 s after it was aborted");
    }

    @Test
    void a_decode_whose_clients_all_left_is_aborted_at_once_and_not_while_one_stays() {
        decode.decoding(5, 100 * SECOND, new long[] {1, 2});
        long start = decode.step().started();
        stopped.add(1L);
        watch.check(start + SECOND / 10);
        assertThat(done).isEmpty();
        stopped.add(2L);
        watch.check(start + SECOND / 5);
        assertThat(done).containsExactly("abort 5: stopped");
    }

    @Test
    void a_decode_that_cannot_be_aborted_ends_the_runner_at_its_deadline() {
        abortable = false;
        decode.decoding(9, SECOND, new long[] {1});
        watch.check(decode.step().started() + 2 * SECOND);
        assertThat(done).hasSize(2);
        assertThat(done.get(1)).startsWith("expire decoding: took more than 1 s");
    }

    @Test
    void a_long_step_beats_every_five_seconds() {
        prepare.begin("reading the chat template", 60 * SECOND, 3);
        long start = prepare.step().started();
        watch.check(start + 4 * SECOND);
        assertThat(done).isEmpty();
        watch.check(start + 6 * SECOND);
        watch.check(start + 7 * SECOND);
        assertThat(done).containsExactly("beat");
        watch.check(start + 12 * SECOND);
        assertThat(done).containsExactly("beat", "beat");
    }
}
