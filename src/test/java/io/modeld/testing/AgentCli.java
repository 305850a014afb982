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
 * Runs a coding agent's command line from the npm packages the build installs (src/test/node), headless, in
 * {@code work}, with nothing on its standard input, its output kept in a log beside it; asserts it finished
 * in time and with exit code 0, and returns what it printed.
 */
public final class AgentCli {

    private static final Path BIN = Path.of("src", "test", "node", "node_modules", ".bin");

    private AgentCli() {
    }

    public static String run(String tool, List<String> args, Map<String, String> env, Path work, Path logDir,
                             int seconds) throws IOException, InterruptedException {
        Path log = logDir.resolve(tool + ".log");
        Path stdin = Files.writeString(logDir.resolve(tool + ".stdin"), "");
        List<String> command = new java.util.ArrayList<>(List.of(BIN.resolve(tool).toAbsolutePath().toString()));
        command.addAll(args);
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
        assertThat(finished).as(tool + " finished within " + seconds + " s").isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
