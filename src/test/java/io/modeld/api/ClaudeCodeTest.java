package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.testing.AgentModels;
import io.modeld.testing.TestDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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

    private static final Path CLAUDE = Path.of("src", "test", "node", "node_modules", ".bin", "claude");

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    @Test
    void claude_code_runs_a_tool_on_a_local_model_and_answers() throws Exception {
        AgentModels.shellAgent(daemon, files, "agent", "Bash", "command", "echo done > proof.txt");
        Path work = Files.createDirectories(files.resolve("work"));
        Path home = Files.createDirectories(files.resolve("home"));
        ProcessBuilder pb = new ProcessBuilder(CLAUDE.toAbsolutePath().toString(), "-p", "Write done into proof.txt",
                "--model", "agent", "--allowedTools", "Bash", "--max-turns", "4")
                .directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(files.resolve("claude.log").toFile());
        var env = pb.environment();
        env.put("HOME", home.toString());
        env.put("ANTHROPIC_BASE_URL", "http://127.0.0.1:" + daemon.port());
        env.put("ANTHROPIC_AUTH_TOKEN", "unused-on-loopback");
        env.put("ANTHROPIC_DEFAULT_HAIKU_MODEL", "agent");
        env.put("ANTHROPIC_SMALL_FAST_MODEL", "agent");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
        Process claude = pb.start();
        boolean finished = claude.waitFor(400, TimeUnit.SECONDS);
        if (!finished) {
            claude.destroyForcibly();
        }
        String output = Files.readString(files.resolve("claude.log"), StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(finished).as("claude finished within 400 s").isTrue();
        assertThat(claude.exitValue()).as(output).isZero();
        assertThat(output).contains(AgentModels.AGENT_DONE);
        assertThat(work.resolve("proof.txt")).as("the command the model asked for ran").hasContent("done");
        // the context was chosen for it: Claude Code's first prompt does not fit the old 4,096
        assertThat(TestDaemon.ok(daemon.get("/memory")).at("/loaded/0/context").asInt()).isGreaterThan(100_000);
    }
}
