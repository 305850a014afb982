package io.modeld.runtime;

import java.util.List;
import java.util.function.Supplier;

/** Starts a runner with no model, ready for a load: the scheduler's seam to its runners. */
@FunctionalInterface
public interface RunnerFactory {

    ModelRunner start() throws RunnerFailure;

    /** Runner processes started with {@code command} (asked for each start), as the daemon runs them. */
    static RunnerFactory processes(Supplier<List<String>> command) {
        return () -> ProcessRunner.start(command.get());
    }
}
