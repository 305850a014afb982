package io.modeld.api;

import io.modeld.testing.AgentModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.NodeTests;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents through clients written by others (src/test/node/agent-clients.test.mjs): the openai npm client's
 * tool calls, forced, named, streamed and in its runTools loop, and its reasoning; ollama-js' tools, think
 * and show. The models are scripted tiny llamas with the Qwen3, Llama 3.1 and gpt-oss templates of
 * llama.cpp's corpus, run by the real engine.
 */
class AgentClientsTest {

    static final int OLLAMA_PORT = OllamaClientTest.freePort();

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().ollamaPort(OLLAMA_PORT).build());
    @TempDir
    Path files;

    @Test
    void agents_call_tools_and_keep_their_thinking_apart() throws Exception {
        AgentModels.qwen3(daemon, files, "qwen3-agent");
        AgentModels.llama3(daemon, files, "llama3-agent");
        AgentModels.gptOss(daemon, files, "gpt-oss-agent");
        AgentModels.thinker(daemon, files, "thinker");
        Downloading.tinyModel(daemon, files, "tiny", 1);
        NodeTests.run("agent-clients.test.mjs", Map.of("MODELD_URL", "http://127.0.0.1:" + daemon.port(),
                "OLLAMA_URL", "http://127.0.0.1:" + OLLAMA_PORT), 16, files);
    }
}
