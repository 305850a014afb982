package io.modeld.runtime;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.engine.NativeBundle;
import io.modeld.testing.Downloading;
import io.modeld.testing.Runners;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A llama.cpp that is missing, or of an API modeld does not speak: loads fail clearly, the daemon serves on. */
class EngineLibraryTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path files;

    private void loadFailsWith503(Path llamaLib, String... mentions) throws Exception {
        try (TestDaemon daemon = TestDaemon.start(io.modeld.config.Config.forDataDir(dataDir).toBuilder()
                .llamaLib(llamaLib).build())) {
            String id = Downloading.tinyModel(daemon, files, "tiny", 1);
            HttpResponse<String> r = daemon.post("/model/" + id + "/load", "");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            for (String m : mentions) {
                assertThat(r.body()).contains(m);
            }
            assertThat(daemon.get("/.well-known/health").body()).isEqualTo("ok");
            assertThat(ok(daemon.get("/model/" + id)).get("loaded").asBoolean()).isFalse();
            assertThat(daemon.post("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"Hi\"}").statusCode())
                    .isEqualTo(503);
            assertThat(Runners.running()).isEmpty();
        }
    }

    @Test
    void a_missing_library_fails_the_load_with_503_naming_what_is_supported(@TempDir Path empty) throws Exception {
        loadFailsWith503(empty, "no llama.cpp library (libllama) in " + empty, "v0.5.0 release series");
    }

    @Test
    void a_library_of_another_api_fails_the_load_with_503_naming_what_is_supported(@TempDir Path other) throws Exception {
        Path bundled = NativeBundle.llamaDir(dataDir.resolve("lib"));
        // Real shared libraries, but the one called libllama has none of llama.h's functions.
        Files.copy(bundled.resolve("libggml-base.so"), other.resolve("libggml-base.so"));
        Files.copy(bundled.resolve("libggml.v0.5.0.so"), other.resolve("libggml.so"));
        Files.copy(bundled.resolve("libggml-base.so"), other.resolve("libllama.so"));
        loadFailsWith503(other, "is not supported", "lacks llama_", "v0.5.0 release series", "--llama-lib");
    }
}
