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
 * Codex CLI itself ({@code @openai/codex} 0.171.0 from npm, {@code codex exec --oss}) pointed at modeld as it
 * points at Ollama: it lists the models ({@code /v1/models}, {@code /api/tags}), pulls the one it was given
 * when the name is not listed exactly ({@code /api/pull}), then streams {@code /v1/responses} with its tools
 * (functions, a {@code namespace} and {@code web_search}, which modeld leaves out); the scripted model calls
 * {@code exec_command}, Codex runs it (the file it writes is checked on disk), sends its output back and prints
 * the model's answer. Codex's update check and analytics are off, its home is a scratch folder.
 */
class CodexTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    @Test
    void codex_runs_a_command_on_a_local_model_and_answers() throws Exception {
        AgentModels.shellAgent(daemon, files, "agent", "exec_command", "cmd", "echo done > proof.txt");
        Path work = Files.createDirectories(files.resolve("work"));
        Path home = Files.createDirectories(files.resolve("home").resolve(".codex")).getParent();
        Files.writeString(home.resolve(".codex").resolve("config.toml"),
                "check_for_update_on_startup = false\n[analytics]\nenabled = false\n");
        // the sandbox (bubblewrap) needs namespaces a CI machine may not give; the command is the test's own
        String output = AgentCli.run("codex", List.of("exec", "--oss", "--local-provider", "ollama", "-m", "agent",
                "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "Write done into proof.txt"),
                Map.of("HOME", home.toString(), "CODEX_OSS_BASE_URL", "http://127.0.0.1:" + daemon.port() + "/v1"),
                work, files, 300);
        assertThat(output).contains("echo done > proof.txt").contains(AgentModels.AGENT_DONE);
        assertThat(work.resolve("proof.txt")).as("the command the model asked for ran").hasContent("done");
    }
}
