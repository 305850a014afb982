package io.modeld.registry;

import static io.modeld.testing.ScriptedServer.answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.modeld.config.Config;
import io.modeld.testing.Downloading;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.ScriptedServer;
import io.modeld.testing.TestDaemon;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registries that try to take more than a model: send the push's login to a third host, fill the heap
 * with an endless manifest or token answer, steer a request with a crafted index digest, or downgrade
 * an https login to http.
 */
class HostileRegistryTest {

    private static final String LOGIN = "Basic " + Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;
    private TestDaemon daemon;

    private TestDaemon daemon(String auth) {
        daemon = TestDaemon.start(Config.forDataDir(tmp.resolve("data")).toBuilder()
                .registries(new Config.Registries(List.of(), null, auth)).build());
        return daemon;
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void a_push_sends_no_login_to_an_upload_location_on_another_origin() throws Exception {
        AtomicInteger elsewherePort = new AtomicInteger();
        try (ScriptedServer elsewhere = ScriptedServer.start(ex -> {
                String location = "http://127.0.0.1:" + elsewherePort.get() + "/upload/1";
                answer(ex, ex.getRequestMethod().equals("PATCH") ? 202 : 201, Map.of("Location", location), null);
            });
             ScriptedServer registry = ScriptedServer.start(ex -> {
                 String path = ex.getRequestURI().getPath();
                 if (!LOGIN.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                     answer(ex, 401, Map.of("WWW-Authenticate", "Basic realm=\"test\""), null);
                 } else if (ex.getRequestMethod().equals("HEAD")) {
                     answer(ex, 404, Map.of(), null);
                 } else if (path.endsWith("/blobs/uploads/")) {
                     answer(ex, 202, Map.of("Location", "http://127.0.0.1:" + elsewherePort.get() + "/upload/1"), null);
                 } else {
                     answer(ex, 201, Map.of(), null);
                 }
             })) {
            elsewherePort.set(elsewhere.port());
            TestDaemon d = daemon(registry.host() + "=bob:pw");
            String id = Downloading.tinyModel(d, tmp, "pushed", 1);
            assertThat(d.post("/model/" + id + "/push", "{\"target\": \"oci://" + registry.host() + "/team/x:v1\"}")
                    .statusCode()).isEqualTo(202);
            try (ProgressFrames frames = ProgressFrames.of(d, "/model/" + id + "/push/progress")) {
                await().atMost(Downloading.WAIT).until(() -> frames.last() != null
                        && List.of("COMPLETED", "FAILED").contains(frames.last().get("status").asText()));
                assertThat(frames.last().get("status").asText()).as(frames.frames().toString()).isEqualTo("COMPLETED");
            }
            assertThat(elsewhere.seen()).extracting(ScriptedServer.Seen::method).contains("PATCH", "PUT");
            assertThat(elsewhere.seen()).extracting(ScriptedServer.Seen::authorization).containsOnlyNulls();
            assertThat(registry.seen()).extracting(ScriptedServer.Seen::authorization).contains(LOGIN);
        }
    }

    /** Streams an endless body (no Content-Length) until the client hangs up; counts what it sent. */
    private static void endless(com.sun.net.httpserver.HttpExchange ex, String type, AtomicLong sent) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(200, 0);
        byte[] chunk = " ".repeat(64 << 10).getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = ex.getResponseBody()) {
            while (sent.get() < (256L << 20)) {
                out.write(chunk);
                sent.addAndGet(chunk.length);
            }
        }
    }

    @Test
    void an_endless_manifest_is_cut_at_its_limit_not_read_whole() throws Exception {
        AtomicLong sent = new AtomicLong();
        try (ScriptedServer registry = ScriptedServer.start(ex -> endless(ex, Manifest.DOCKER_V2, sent))) {
            Downloading.Pulled pulled = Downloading.fromSource(daemon(null), "endless",
                    "oci://" + registry.host() + "/team/endless:v1");
            assertThat(pulled.status()).isEqualTo("FAILED");
            assertThat(pulled.frame().get("error").asText()).contains("more than " + (4 << 20) + " bytes");
            assertThat(sent.get()).as("bytes the registry got to send").isLessThan(64L << 20);
        }
    }

    @Test
    void an_endless_token_answer_is_cut_too() throws Exception {
        AtomicLong sent = new AtomicLong();
        try (ScriptedServer tokens = ScriptedServer.start(ex -> endless(ex, "application/json", sent));
             ScriptedServer registry = ScriptedServer.start(ex -> answer(ex, 401, Map.of("WWW-Authenticate",
                     "Bearer realm=\"http://" + tokens.host() + "/token\",service=\"test\""), null))) {
            Downloading.Pulled pulled = Downloading.fromSource(daemon(null), "endless token",
                    "oci://" + registry.host() + "/team/m:v1");
            assertThat(pulled.status()).isEqualTo("FAILED");
            assertThat(pulled.frame().get("error").asText()).contains("more than " + (64 << 10) + " bytes");
            assertThat(sent.get()).isLessThan(64L << 20);
        }
    }

    @Test
    void an_index_naming_its_manifest_by_a_path_is_refused_before_any_request() throws Exception {
        String index = """
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
                  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "../../admin/delete?all=1",
                   "size": 100, "platform": {"os": "linux", "architecture": "amd64"}}]}""";
        try (ScriptedServer registry = ScriptedServer.start(ex -> {
            if (ex.getRequestURI().getPath().endsWith("/manifests/v1")) {
                answer(ex, 200, Map.of("Content-Type", Manifest.OCI_INDEX), index.getBytes(StandardCharsets.UTF_8));
            } else {
                answer(ex, 404, Map.of(), null);
            }
        })) {
            Downloading.Pulled pulled = Downloading.fromSource(daemon(registry.host() + "=bob:pw"), "traversal",
                    "oci://" + registry.host() + "/team/idx:v1");
            assertThat(pulled.status()).isEqualTo("FAILED");
            assertThat(pulled.frame().get("error").asText()).contains("not sha256:<64 hex digits>");
            assertThat(registry.seen()).extracting(ScriptedServer.Seen::path).allMatch(p -> p.endsWith("/manifests/v1"));
        }
    }

    @Test
    void an_https_registry_login_never_goes_to_a_plain_http_token_service() {
        URI https = URI.create("https://registry.example/v2/");
        assertThatThrownBy(() -> RegistryClient.refuseDowngrade("registry.example", https, "http://auth.example/token"))
                .isInstanceOf(RegistryException.class).hasMessageContaining("never sends the login of an https registry");
        assertThatThrownBy(() -> RegistryClient.refuseDowngrade("registry.example", https, "HTTP://auth.example/token"))
                .isInstanceOf(RegistryException.class);
        org.assertj.core.api.Assertions.assertThatCode(() -> RegistryClient.refuseDowngrade("registry.example", https,
                "https://auth.example/token")).doesNotThrowAnyException();
        org.assertj.core.api.Assertions.assertThatCode(() -> RegistryClient.refuseDowngrade("127.0.0.1:5000",
                URI.create("http://127.0.0.1:5000/v2/"), "http://127.0.0.1:5001/token")).doesNotThrowAnyException();
    }
}
