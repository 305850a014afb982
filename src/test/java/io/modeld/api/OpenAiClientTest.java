package io.modeld.api;

import io.modeld.gguf.TinyModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.NodeTests;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The official openai npm client against modeld's /v1, on tiny models the test writes. */
class OpenAiClientTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    @Test
    void the_official_openai_client_drives_the_daemon() throws Exception {
        Downloading.tinyModel(daemon, files, "tiny", 1);
        Path embedder = files.resolve("embedder.gguf");
        TinyModels.bertEmbedder(embedder, 2);
        Downloading.downloaded(daemon, embedder, "embedder");
        NodeTests.run("openai-client.test.mjs", Map.of("MODELD_URL", "http://127.0.0.1:" + daemon.port()), 6, files);
    }
}
