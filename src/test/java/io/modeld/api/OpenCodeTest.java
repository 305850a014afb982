package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.testing.AgentCli;
import io.modeld.testing.AgentModels;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * opencode itself (1.18.33 from npm, its Linux x86-64 binary; {@code opencode run}) started by {@code modeld launch
 * opencode} in a JVM of its own: the provider it gets in {@code OPENCODE_CONFIG_CONTENT} sends it to
 * {@code /v1/chat/completions}; the scripted model calls its {@code bash} tool, opencode runs the command (the
 * file it writes is checked on disk), sends its output back and prints the model's answer. opencode's home is a
 * scratch folder whose config folder already holds the plugin package it would otherwise install from the
 * registry at start, and its model list, update check and sharing are off, so it reaches nothing but the daemon.
 */
class OpenCodeTest {

    private static final Path CONFIG = Path.of("src", "test", "node", "opencode-config");
    /**
     * opencode's own binary for this platform: the package {@code opencode-ai} depends on all twelve platforms',
     * of which the registry the build may reach serves some only, so {@code npm ci} could not install it.
     */
    private static final Path OPENCODE = Path.of("src", "test", "node", "node_modules", "opencode-linux-x64", "bin",
            "opencode");

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    @Test
    void launch_runs_opencode_on_a_local_model_which_runs_a_command_and_answers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").equals("amd64"), "opencode's binary is installed for Linux x86-64 only");
        AgentModels.shellAgent(daemon, files, "agent", "bash", "command", "echo done > proof.txt");
        Path work = Files.createDirectories(files.resolve("work"));
        Path home = Files.createDirectories(files.resolve("home"));
        copy(CONFIG.toAbsolutePath(), home.resolve(".config").resolve("opencode"));
        List<String> modeld = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.modeld.Main", "launch", "opencode",
                "--url", "http://127.0.0.1:" + daemon.port(), "--command", OPENCODE.toAbsolutePath().toString(),
                "--", "run", "Write done into proof.txt"));
        // opencode takes its project from PWD, which the JVM's children inherit from the build's
        String output = AgentCli.runCommand("opencode", modeld, Map.of("HOME", home.toString(), "PWD", work.toString(),
                "OPENCODE_DISABLE_MODELS_FETCH", "1", "OPENCODE_DISABLE_AUTOUPDATE", "1",
                "OPENCODE_DISABLE_SHARE", "1", "OPENCODE_DISABLE_LSP_DOWNLOAD", "1"), work, files, 300);
        assertThat(output).contains("opencode on agent").contains(AgentModels.AGENT_DONE);
        assertThat(work.resolve("proof.txt")).as("the command the model asked for ran").hasContent("done");
    }

    private static void copy(Path from, Path to) throws java.io.IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
