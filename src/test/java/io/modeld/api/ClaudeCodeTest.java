package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.testing.AgentModels;
import io.modeld.testing.TestDaemon;
import io.modeld.testing.AgentCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claude Code itself ({@code @anthropic-ai/claude-code} 2.1.197 from npm, {@code claude -p}) pointed at modeld:
 * its first request is about 76 KB of JSON (24 tools; 99k tokens of the test vocabulary, which the default
 * context must hold), the scripted model calls its Bash tool, Claude Code runs the command (the file it writes
 * is checked on disk), sends the result back, and prints the model's answer. Nothing but loopback is contacted:
 * its telemetry, updates and other traffic are off, its home is a scratch folder.
 */
class ClaudeCodeTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    @Test
    void claude_code_runs_a_tool_on_a_local_model_and_answers() throws Exception {
        AgentModels.shellAgent(daemon, files, "agent", "Bash", "command", "echo done > proof.txt");
        Path work = Files.createDirectories(files.resolve("work"));
        Path home = Files.createDirectories(files.resolve("home"));
        String output = AgentCli.run("claude", List.of("-p", "Write done into proof.txt", "--model", "agent",
                "--allowedTools", "Bash", "--max-turns", "4"), Map.of("HOME", home.toString(),
                "ANTHROPIC_BASE_URL", "http://127.0.0.1:" + daemon.port(), "ANTHROPIC_AUTH_TOKEN", "unused-on-loopback",
                "ANTHROPIC_DEFAULT_HAIKU_MODEL", "agent", "ANTHROPIC_SMALL_FAST_MODEL", "agent",
                "DISABLE_TELEMETRY", "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1", "DISABLE_AUTOUPDATER", "1"),
                work, files, 400);
        assertThat(output).contains(AgentModels.AGENT_DONE);
        assertThat(work.resolve("proof.txt")).as("the command the model asked for ran").hasContent("done");
        // the context was chosen for it: Claude Code's first prompt does not fit the old 4,096
        assertThat(TestDaemon.ok(daemon.get("/memory")).at("/loaded/0/context").asInt()).isGreaterThan(100_000);
    }
}
