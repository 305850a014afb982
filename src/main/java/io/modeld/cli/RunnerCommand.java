package io.modeld.cli;

import io.modeld.runtime.RunnerMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code modeld runner}: started by the daemon for each loaded model; not for people to run. */
@Command(name = "runner", hidden = true, description = "Holds one model for the daemon (internal).")
final class RunnerCommand implements Callable<Integer> {

    @Option(names = "--template-check", description = "Reads chat templates only; loads no model.")
    boolean templateCheck;

    @Override
    public Integer call() {
        return RunnerMain.run(templateCheck);
    }
}
