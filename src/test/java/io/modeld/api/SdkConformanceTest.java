package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.gguf.TinyLlama;
import io.modeld.testing.FileServer;
import io.modeld.testing.TestDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the official Pieces TypeScript SDK (installed from package-lock.json by the build) against a
 * real daemon: src/test/node/sdk-conformance.test.mjs holds the assertions.
 */
class SdkConformanceTest {

    private static final Path NODE_PROJECT = Path.of("src", "test", "node");

    @TempDir
    Path dataDir;

    @Test
    void the_official_typescript_sdk_drives_the_daemon() throws Exception {
        assertThat(NODE_PROJECT.resolve("node_modules/@pieces.app/pieces-os-client/package.json"))
                .as("the SDK is installed by the build (npm ci in process-test-resources)").exists();
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            Path log = dataDir.resolve("node.log");
            ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=spec", "sdk-conformance.test.mjs")
                    .directory(NODE_PROJECT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("MODELD_URL", "http://127.0.0.1:" + daemon.port());
            pb.environment().put("MODELD_CATALOG_SIZE", String.valueOf(io.modeld.testing.Catalogs.BUILT_IN));
            Path model = dataDir.resolve("sdk-model.gguf");
            TinyLlama.TINY.write(model, 5);
            byte[] content = Files.readAllBytes(model);
            pb.environment().put("MODELD_TEST_FILE", model.toString());
            pb.environment().put("MODELD_TEST_FILE_SHA256", FileServer.sha256(content));
            Process node = pb.start();
            boolean finished = node.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                node.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(finished).as("node finished within 120 s").isTrue();
            assertThat(node.exitValue()).as(output).isZero();
            assertThat(output).contains("pass 8").contains("fail 0");
        }
    }
}
