package io.modeld.api;

import io.modeld.gguf.TinyLlama;
import io.modeld.testing.Catalogs;
import io.modeld.testing.FileServer;
import io.modeld.testing.NodeTests;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the official Pieces TypeScript SDK (installed from package-lock.json by the build) against a
 * real daemon: src/test/node/sdk-conformance.test.mjs holds the assertions.
 */
class SdkConformanceTest {

    @TempDir
    Path dataDir;

    @Test
    void the_official_typescript_sdk_drives_the_daemon() throws Exception {
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            Path model = dataDir.resolve("sdk-model.gguf");
            TinyLlama.TINY.write(model, 5);
            NodeTests.run("sdk-conformance.test.mjs", Map.of("MODELD_URL", "http://127.0.0.1:" + daemon.port(),
                    "MODELD_CATALOG_SIZE", String.valueOf(Catalogs.LISTED), "MODELD_TEST_FILE", model.toString(),
                    "MODELD_TEST_FILE_SHA256", FileServer.sha256(Files.readAllBytes(model))), 8, dataDir);
        }
    }
}
