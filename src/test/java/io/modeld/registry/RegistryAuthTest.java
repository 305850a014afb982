package io.modeld.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modeld.Json;
import io.modeld.config.Config;
import io.modeld.testing.DaemonProcess;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.LibraryLayouts;
import io.modeld.testing.LocalRegistry;
import io.modeld.testing.LogCapture;
import io.modeld.testing.ModelImages;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import io.modeld.testing.TokenGate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registries that want a login, a token from another host, or send blobs elsewhere; and a pull killed midway. */
class RegistryAuthTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void needsRegistry() {
        assumeTrue(LocalRegistry.installed(), "docker-registry is not installed (.ci/run installs it)");
    }

    private TestDaemon daemon(Config.Registries registries) {
        return TestDaemon.start(Config.forDataDir(tmp.resolve("data-" + System.nanoTime())).toBuilder()
                .registries(registries).build());
    }

    private static Downloading.Pulled pull(TestDaemon d, String url) throws Exception {
        return Downloading.fromSource(d, "m", url);
    }

    private static byte[] storedFile(TestDaemon d, String id) throws Exception {
        try (var files = Files.list(d.dataDir().resolve("models").resolve(id))) {
            return Files.readAllBytes(files.findFirst().orElseThrow());
        }
    }

    @Test
    void basic_auth_with_the_login_from_dockers_config_and_a_clear_refusal_without() throws Exception {
        byte[] data = FileServer.content(300_000, 1);
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("reg"), "alice", "s3cret-pass-123")) {
            ModelImages.ollama(registry, "team/m", "v1", data, null, null, null);
            Path config = tmp.resolve("docker/config.json");
            Files.createDirectories(config.getParent());
            Files.writeString(config, "{\"auths\": {\"http://" + registry.host() + "\": {\"auth\": \""
                    + Base64.getEncoder().encodeToString("alice:s3cret-pass-123".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
            String url = "oci://" + registry.host() + "/team/m:v1";
            try (LogCapture log = new LogCapture(); TestDaemon d = daemon(new Config.Registries(List.of(), config, null))) {
                Downloading.Pulled end = pull(d, url);
                assertThat(end.status()).as(end.frame().toString()).isEqualTo("COMPLETED");
                assertThat(FileServer.sha256(storedFile(d, end.id()))).isEqualTo(FileServer.sha256(data));
                assertThat(log.lines()).noneMatch(l -> l.contains("s3cret-pass-123") || l.contains("YWxpY2U6"));
            }
            try (TestDaemon d = daemon(Config.Registries.none())) {
                Downloading.Pulled end = pull(d, url);
                assertThat(end.status()).isEqualTo("FAILED");
                assertThat(end.frame().get("error").asText()).contains(registry.host() + " needs a login")
                        .contains("~/.docker/config.json");
            }
        }
    }

    @Test
    void a_token_from_a_realm_on_another_port_is_renewed_when_it_expires_mid_download() throws Exception {
        byte[] data = FileServer.content(12 << 20, 2);
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("reg"));
             TokenGate gate = TokenGate.start(registry, "bob:pw-for-tokens", 400).throttle(2 << 20)) {
            ModelImages.ollama(registry, "team/big", "v1", data, null, null, null);
            try (TestDaemon d = daemon(new Config.Registries(List.of(), null, gate.host() + "=bob:pw-for-tokens"))) {
                Downloading.Pulled end = pull(d, "oci://" + gate.host() + "/team/big:v1");
                assertThat(end.status()).as(end.frame().toString()).isEqualTo("COMPLETED");
                assertThat(FileServer.sha256(storedFile(d, end.id()))).isEqualTo(FileServer.sha256(data));
            }
            assertThat(gate.tokensIssued()).as("tokens renewed after they lapsed").isGreaterThan(1);
            assertThat(gate.tokenRequests()).allMatch(a -> a.startsWith("Basic "));
            assertThat(gate.authorizations()).noneMatch(a -> a.startsWith("Basic ")).anyMatch(a -> a.startsWith("Bearer "));
        }
    }

    @Test
    void blobs_redirected_to_another_host_download_without_the_authorization() throws Exception {
        byte[] data = FileServer.content(2 << 20, 3);
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("reg"));
             FileServer storage = FileServer.startOn("127.0.0.2");
             TokenGate gate = TokenGate.start(registry, null, 60_000).redirectBlobsTo(storage)) {
            ModelImages.ollama(registry, "team/r", "v1", data, null, null, null);
            storage.serve("/blobs/sha256:" + FileServer.sha256(data), data);
            try (TestDaemon d = daemon(Config.Registries.none())) {
                Downloading.Pulled end = pull(d, "oci://" + gate.host() + "/team/r:v1");
                assertThat(end.status()).as(end.frame().toString()).isEqualTo("COMPLETED");
                assertThat(FileServer.sha256(storedFile(d, end.id()))).isEqualTo(FileServer.sha256(data));
            }
            assertThat(storage.requests()).isNotEmpty().allMatch(s -> s.authorization() == null);
            assertThat(gate.authorizations()).anyMatch(a -> a.startsWith("Bearer "));
        }
    }

    @Test
    void a_pull_killed_mid_blob_resumes_at_the_next_start() throws Exception {
        byte[] data = FileServer.content(16 << 20, 4);
        Path dataDir = tmp.resolve("killed");
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("reg"))) {
            ModelImages.ollama(registry, "team/k", "v1", data, null, null, null);
            String id;
            try (DaemonProcess first = DaemonProcess.start(dataDir, "--max-bandwidth", "4MB/s", "--connections", "4")) {
                id = Json.MAPPER.readTree(first.post("/models/create", "{\"name\": \"k\", \"source\": {\"url\": \"oci://"
                        + registry.host() + "/team/k:v1\"}}").body()).get("id").asText();
                try (ProgressFrames frames = ProgressFrames.open(first.port(), id)) {
                    first.post("/model/" + id + "/download", null);
                    await().atMost(Duration.ofSeconds(30)).until(() -> frames.last() != null
                            && frames.last().path("bytes").path("downloaded").asLong() > (4 << 20));
                }
            } // SIGKILL
            assertThat(dataDir.resolve("partial").resolve(id)).exists();
            try (LogCapture log = new LogCapture(); TestDaemon last = TestDaemon.start(dataDir);
                 ProgressFrames frames = ProgressFrames.open(last, id)) {
                Downloading.awaitTerminal(last, id, frames);
                assertThat(frames.last().get("status").asText()).as(frames.frames().toString()).isEqualTo("COMPLETED");
                assertThat(log.lines()).anyMatch(l -> l.contains("resuming download of " + id));
            }
            try (var files = Files.list(dataDir.resolve("models").resolve(id))) {
                assertThat(LibraryLayouts.sha256(files.findFirst().orElseThrow())).isEqualTo(FileServer.sha256(data));
            }
            assertThat(dataDir.resolve("partial").resolve(id)).doesNotExist();
        }
    }
}
