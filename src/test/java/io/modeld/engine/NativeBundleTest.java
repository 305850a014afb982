package io.modeld.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The release modeld names (engine info, engine build) is the one the build fetches its libraries from. */
class NativeBundleTest {

    @Test
    void the_named_release_is_the_one_in_the_native_package_json() throws Exception {
        JsonNode pkg = Json.MAPPER.readTree(Path.of("src/main/native/package.json").toFile());
        assertThat(pkg.path("optionalDependencies").path("@node-llama-cpp/linux-x64").asText())
                .isEqualTo(NativeBundle.NODE_LLAMA_CPP);
    }
}
