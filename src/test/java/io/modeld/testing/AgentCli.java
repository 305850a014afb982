package io.modeld.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a coding agent's command line from the npm packages the build installs (src/test/node), or a command
 * that starts one, headless, in
 * {@code work}, with nothing on its standard input, its output kept in a log beside it; asserts it finished
 * in time and with exit code 0, and returns what it printed.
 */
public final class AgentCli {

    private static final Path BIN = Path.of("src", "test", "node", "node_modules", ".bin");

    private AgentCli() {
    }

    /** The agent's own command, installed from npm for the tests. */
    public static Path command(String tool) {
        return BIN.resolve(tool).toAbsolutePath();
    }

    public static String run(String tool, List<String> args, Map<String, String> env, Path work, Path logDir,
                             int seconds) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(command(tool).toString()));
        command.addAll(args);
        return runCommand(tool, command, env, work, logDir, seconds);
    }

    /** Runs {@code command} (its log named for {@code name}) as {@link #run(String, List, Map, Path, Path, int)} does. */
    public static String runCommand(String name, List<String> command, Map<String, String> env, Path work, Path logDir,
                             int seconds) throws IOException, InterruptedException {
        Path log = logDir.resolve(name + ".log");
        Path stdin = Files.writeString(logDir.resolve(name + ".stdin"), "");
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectInput(stdin.toFile()).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean finished = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(finished).as(name + " finished within " + seconds + " s").isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
