package io.modeld.api;

import io.modeld.config.BuildInfo;
import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryTest {

    @TempDir
    Path dataDir;

    @Test
    void health_version_and_openapi_answer_in_plain_text_and_yaml() {
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            HttpResponse<String> health = daemon.get("/.well-known/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok");
            HttpResponse<String> version = daemon.get("/.well-known/version");
            assertThat(version.body()).isEqualTo(BuildInfo.version()).matches("\\d+\\.\\d+\\.\\d+.*");

            HttpResponse<String> openapi = daemon.get("/openapi.yaml");
            assertThat(openapi.statusCode()).isEqualTo(200);
            assertThat(openapi.body()).startsWith("openapi: 3").contains("version: \"" + BuildInfo.version() + "\"");
            List<String> paths = new ArrayList<>();
            Matcher m = Pattern.compile("(?m)^  (/\\S*):$").matcher(openapi.body());
            while (m.find()) {
                paths.add(m.group(1));
            }
            assertThat(paths).containsExactlyInAnyOrder("/model/{model}", "/model/update",
                    "/model/{model}/download", "/model/{model}/download/cancel", "/model/{model}/download/progress",
                    "/model/{model}/load", "/model/{model}/unload", "/models", "/models/create",
                    "/models/{model}/delete", "/models/{model}/delete/cache", "/models/unload",
                    "/models/stream/identifiers", "/memory", "/v1/models", "/v1/completions", "/v1/chat/completions",
                    "/.well-known/health", "/.well-known/version", "/openapi.yaml");
            // Every documented path is served (not a 404 from the router).
            for (String p : paths) {
                String concrete = p.replace("{model}", "tinyllama-1.1b-chat-v1.0-q4_k_m");
                int get = daemon.get(concrete).statusCode();
                int post = daemon.post(concrete, "{}").statusCode();
                assertThat(get != 404 || post != 404).as(p).isTrue();
            }
        }
    }
}
