package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;

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
    void health_version_and_openapi_answer_in_plain_text_and_yaml() throws Exception {
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            HttpResponse<String> health = daemon.get("/.well-known/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok");
            HttpResponse<String> version = daemon.get("/.well-known/version");
            assertThat(version.body()).as("the Pieces OS API level, in the range the Pieces CLI accepts")
                    .matches("12\\.\\d+\\.\\d+");
            assertThat(version.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(daemon.send(java.net.http.HttpRequest.newBuilder(daemon.uri("/.well-known/health"))
                    .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build()).statusCode())
                    .as("the Pieces SDKs' client finds the daemon with a HEAD").isEqualTo(200);

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
                    "/models/stream/identifiers", "/memory", "/v1/models", "/v1/models/{model}", "/v1/completions",
                    "/v1/chat/completions", "/v1/embeddings", "/v1/rerank", "/rerank", "/", "/api/version", "/api/tags",
                    "/api/show", "/api/ps", "/api/pull", "/api/push", "/api/copy", "/api/delete", "/api/blobs/{digest}",
                    "/api/create", "/api/generate", "/api/chat", "/api/embed", "/api/embeddings",
                    "/.well-known/health", "/.well-known/version", "/openapi.yaml", "/model/{model}/download/update",
                    "/model/{model}/push", "/model/{model}/push/cancel", "/model/{model}/push/progress",
                    "/models/outdated", "/downloads/bandwidth", "/model/{model}/details", "/models/pull", "/settings", "/remotes", "/logs",
                    "/logs/stream", "/stream/activity", "/.well-known/stream/health", "/connect", "/user",
                    "/qgpt/stream", "/qgpt/question", "/conversations", "/conversations/create",
                    "/conversations/{conversation}/delete", "/conversations/stream/identifiers",
                    "/conversation/{conversation}", "/conversation/update", "/message/{message}", "/messages/create");
            // It is YAML a client can read (a plain scalar with ": " inside once broke it).
            JsonNode doc = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(openapi.body());
            assertThat(doc.get("paths")).hasSize(paths.size());
            // Every documented path is served (not the router's "no such endpoint"), by some method.
            for (String p : paths) {
                String concrete = p.replace("{model}", "tinyllama-1.1b-chat-v1.0-q4_k_m")
                        .replace("{digest}", "sha256:" + "0".repeat(64)).replace("{conversation}", "c1")
                        .replace("{message}", "m1");
                boolean served = false;
                for (String method : new String[] {"GET", "POST", "DELETE", "PUT"}) {
                    HttpResponse<String> r = daemon.send(java.net.http.HttpRequest.newBuilder(daemon.uri(concrete))
                            .method(method, java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build());
                    served |= !r.body().contains("no such endpoint");
                }
                assertThat(served).as(p).isTrue();
            }
        }
    }
}
