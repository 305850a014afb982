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
 * Pieces Copilot through the official Pieces TypeScript SDK (src/test/node/pieces-copilot.test.mjs): the
 * client's start (connect, user, version, health and its streams), the alias of its fixed model name, a
 * question asked whole and streamed, and conversations kept, read, renamed and deleted.
 */
class PiecesSdkCopilotTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    @Test
    void the_pieces_sdk_asks_a_local_model_and_keeps_its_conversations() throws Exception {
        String model = AgentModels.hello(daemon, files, "hello");
        // The alias stands for the first downloaded chat model, which is this one.
        NodeTests.run("pieces-copilot.test.mjs", Map.of("MODELD_URL", "http://127.0.0.1:" + daemon.port(),
                "MODELD_CHAT_MODEL", model), 5, files);
    }
}
