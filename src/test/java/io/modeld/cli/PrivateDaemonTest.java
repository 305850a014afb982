package io.modeld.cli;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.testing.DaemonProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the daemon keeps to itself, as a user runs it ({@code modeld serve} as a process): its data dir
 * and files private to its user, and its secrets out of the runners it starts.
 */
class PrivateDaemonTest {

    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void the_data_dir_is_rwx_for_its_user_only_and_the_files_modeld_writes_are_rw() throws Exception {
        Path dataDir = tmp.resolve("new").resolve("modeld");
        try (DaemonProcess d = DaemonProcess.start(dataDir)) {
            assertThat(d.put("/settings", "{\"keepAlive\": \"10m\"}").statusCode()).isEqualTo(200);
            assertThat(mode(dataDir)).isEqualTo("rwx------");
            for (String file : List.of("modeld.db", "logs/modeld.log", "settings.json")) {
                assertThat(mode(dataDir.resolve(file))).as(file).isEqualTo("rw-------");
            }
        }
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dataDir.resolve("modeld.db"), PosixFilePermissions.fromString("rw-r--r--"));
        try (DaemonProcess d = DaemonProcess.start(dataDir)) {
            assertThat(mode(dataDir)).as("an older data dir is made private").isEqualTo("rwx------");
            assertThat(mode(dataDir.resolve("modeld.db"))).isEqualTo("rw-------");
        }
    }

    @Test
    void a_runner_inherits_none_of_the_daemons_secrets() throws Exception {
        Map<String, String> env = Map.of("HF_TOKEN", "hf_secret_token_1234", "MODELD_REGISTRY_AUTH",
                "registry.example=bob:registry-secret", "AWS_SECRET_ACCESS_KEY", "aws-secret-9876",
                "GGML_SCHED_MAX_COPIES", "2");
        try (DaemonProcess d = DaemonProcess.start(env, tmp.resolve("data"), "--spare-runner", "--no-library")) {
            long pid = await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode spare = ok(d.get("/memory")).path("spare");
                return spare.isObject() ? spare.get("pid").asLong() : -1L;
            }, p -> p > 0);
            String environ = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "environ")),
                    StandardCharsets.UTF_8);
            List<String> names = Arrays.stream(environ.split("\0")).map(v -> v.split("=", 2)[0]).toList();
            assertThat(environ).doesNotContain("hf_secret_token_1234", "registry-secret", "aws-secret-9876");
            assertThat(names).doesNotContain("HF_TOKEN", "MODELD_REGISTRY_AUTH", "AWS_SECRET_ACCESS_KEY");
            assertThat(names).contains("PATH", "GGML_SCHED_MAX_COPIES");
        }
    }
}
