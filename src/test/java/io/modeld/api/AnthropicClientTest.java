package io.modeld.api;

import io.modeld.testing.AgentModels;
import io.modeld.testing.NodeTests;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anthropic's Messages API through Anthropic's TypeScript SDK (src/test/node/anthropic-client.test.mjs):
 * text, thinking and tool_use blocks whole and streamed, stop reasons, usage with the cached prefix,
 * count_tokens, errors. The models are scripted tiny llamas with ChatML and Qwen3 templates, run by the
 * real engine.
 */
class AnthropicClientTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    @Test
    void the_anthropic_sdk_speaks_to_local_models() throws Exception {
        AgentModels.hello(daemon, files, "hello");
        AgentModels.qwen3(daemon, files, "qwen3-agent");
        AgentModels.thinker(daemon, files, "thinker");
        NodeTests.run("anthropic-client.test.mjs", Map.of("MODELD_URL", "http://127.0.0.1:" + daemon.port()), 8, files);
    }
}
