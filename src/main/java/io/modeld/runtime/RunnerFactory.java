package io.modeld.runtime;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** Starts a runner with no model, ready for a load: the scheduler's seam to its runners. */
@FunctionalInterface
public interface RunnerFactory {

    ModelRunner start() throws RunnerFailure;

    /**
     * Runner processes started with {@code command} (asked for each start), as the daemon runs them, each step
     * of their requests limited to {@code step} (asked at each start).
     */
    static RunnerFactory processes(Supplier<List<String>> command, Supplier<Duration> step) {
        return () -> ProcessRunner.start(command.get(), step.get());
    }
}
