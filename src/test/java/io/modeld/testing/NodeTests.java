package io.modeld.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the node:test files in {@code src/test/node} (clients written by others: the Pieces SDK,
 * ollama-js, openai), with the environment given, and checks that every test in it passed.
 */
public final class NodeTests {

    private static final Path PROJECT = Path.of("src", "test", "node");

    private NodeTests() {
    }

    /** Runs {@code file}; fails with node's output unless all {@code expected} tests pass within 3 minutes. */
    public static String run(String file, Map<String, String> env, int expected, Path logDir)
            throws IOException, InterruptedException {
        assertThat(PROJECT.resolve("node_modules")).as("npm ci in process-test-resources installs the clients").exists();
        Path log = logDir.resolve(file + ".log");
        ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=spec", file)
                .directory(PROJECT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process node = pb.start();
        boolean finished = node.waitFor(180, TimeUnit.SECONDS);
        if (!finished) {
            node.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(finished).as("node finished within 180 s").isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).as(output).contains("pass " + expected).contains("fail 0");
        return output;
    }
}
