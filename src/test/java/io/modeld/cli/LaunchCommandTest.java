package io.modeld.cli;

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
 * {@code modeld launch}, in a JVM of its own as a user runs it, starting the real Claude Code from npm on a
 * scripted model: nothing set by hand but the agent's home (a scratch folder) and its telemetry switches.
 */
class LaunchCommandTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    private List<String> modeld(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.modeld.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void launch_points_claude_code_at_the_daemon_and_runs_it() throws Exception {
        AgentModels.shellAgent(daemon, files, "agent", "Bash", "command", "echo done > proof.txt");
        Path work = Files.createDirectories(files.resolve("work"));
        Path home = Files.createDirectories(files.resolve("home"));
        String url = "http://127.0.0.1:" + daemon.port();
        String output = AgentCli.runCommand("launch", modeld("launch", "claude", "--url", url, "--command",
                        AgentCli.command("claude").toString(), "--", "-p", "Write done into proof.txt", "--allowedTools",
                        "Bash", "--max-turns", "4"),
                Map.of("HOME", home.toString(), "DISABLE_TELEMETRY", "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1",
                        "DISABLE_AUTOUPDATER", "1"), work, files, 400);
        assertThat(output).contains("claude on agent").contains(AgentModels.AGENT_DONE);
        assertThat(work.resolve("proof.txt")).hasContent("done");
    }

    @Test
    void an_agent_that_is_not_installed_is_named_with_how_to_get_it() throws Exception {
        Path work = Files.createDirectories(files.resolve("work"));
        ProcessBuilder pb = new ProcessBuilder(modeld("launch", "codex", "--url", "http://127.0.0.1:" + daemon.port(),
                "--command", files.resolve("no-codex").toString())).directory(work.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(out).contains("codex is not installed: npm install -g @openai/codex");
    }
}
