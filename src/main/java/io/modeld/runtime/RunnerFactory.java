package io.modeld.runtime;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** Starts a runner with no model, ready for a load: the scheduler's seam to its runners. */
@FunctionalInterface
public interface RunnerFactory {

    ModelRunner start() throws RunnerFailure;

    /** A runner that only reads chat templates (its command says so, and it loads no model). */
    default ModelRunner startChecker() throws RunnerFailure {
        return start();
    }

    /**
     * Runner processes started with {@code command} (asked for each start), as the daemon runs them, each step
     * of their requests limited to {@code step} (asked at each start).
     */
    static RunnerFactory processes(Supplier<List<String>> command, Supplier<Duration> step) {
        return new RunnerFactory() {
            @Override
            public ModelRunner start() throws RunnerFailure {
                return ProcessRunner.start(command.get(), step.get());
            }

            @Override
            public ModelRunner startChecker() throws RunnerFailure {
                List<String> checker = new java.util.ArrayList<>(command.get());
                checker.add("--template-check");
                return ProcessRunner.start(checker, step.get());
            }
        };
    }
}
