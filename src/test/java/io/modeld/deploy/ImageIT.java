package io.modeld.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.testing.LocalRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image Jib built in this build (on the tiny base {@code deploy/image/base.sh} packed from two files,
 * {@code target/it-image/}; {@code mvn -Pimage package} builds the same on a Debian base), pushed to a real
 * {@code docker-registry} and read back with {@code skopeo}: who it runs as, what it exposes, its entrypoint,
 * labels, volume and health check, and its layers' files: the launcher on PATH, the application Jib laid out, and
 * that application starting from them. Containers cannot be started here (podman fails on this kernel's cgroups).
 */
class ImageIT {

    @TempDir
    Path dir;

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    @Test
    void the_image_is_pushed_and_read_back_with_its_user_ports_entrypoint_labels_and_files() throws Exception {
        assumeTrue(LocalRegistry.installed() && Files.isExecutable(Path.of("/usr/bin/skopeo")),
                "docker-registry and skopeo are not installed (.ci/run installs them)");
        Path image = Path.of(System.getProperty("modeld.image"));
        assertThat(image).as("the build's image").isRegularFile();
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"))) {
            String ref = "docker://" + registry.host() + "/modeld:it";
            run(List.of("skopeo", "copy", "--dest-tls-verify=false", "docker-archive:" + image, ref));

            JsonNode inspect = Json.MAPPER.readTree(run(List.of("skopeo", "inspect", "--tls-verify=false", ref)));
            assertThat(inspect.get("Architecture").asText()).isEqualTo("amd64");
            assertThat(inspect.get("Labels").get("org.opencontainers.image.title").asText()).isEqualTo("modeld");
            assertThat(inspect.get("Labels").get("org.opencontainers.image.version").asText()).isNotBlank();
            JsonNode config = Json.MAPPER.readTree(run(List.of("skopeo", "inspect", "--tls-verify=false", "--config",
                    "--raw", ref))).get("config");
            assertThat(config.get("User").asText()).as("not root").isEqualTo("10001:10001");
            assertThat(config.get("ExposedPorts").fieldNames()).toIterable()
                    .containsExactlyInAnyOrder("39300/tcp", "11434/tcp");
            assertThat(config.get("Entrypoint")).extracting(JsonNode::asText).containsExactly("/usr/local/bin/modeld");
            assertThat(config.get("Cmd")).extracting(JsonNode::asText).containsExactly("serve");
            assertThat(config.get("Volumes").has("/data")).isTrue();
            assertThat(config.get("Env")).extracting(JsonNode::asText)
                    .contains("MODELD_HOST=0.0.0.0", "MODELD_DATA_DIR=/data", "HOME=/data");
            assertThat(config.get("Healthcheck").get("Test").toString()).contains("/readyz");

            // the layers, as the registry serves them
            Path copy = dir.resolve("copy");
            run(List.of("skopeo", "copy", "--src-tls-verify=false", ref, "dir:" + copy));
            Path root = dir.resolve("root");
            Files.createDirectories(root);
            List<String> listing = new ArrayList<>();
            JsonNode manifest = Json.MAPPER.readTree(copy.resolve("manifest.json").toFile());
            for (JsonNode layer : manifest.get("layers")) {
                Path blob = copy.resolve(layer.get("digest").asText().substring("sha256:".length()));
                listing.addAll(run(List.of("tar", "--numeric-owner", "-tvzf", blob.toString())).lines().toList());
                run(List.of("tar", "-xzf", blob.toString(), "-C", root.toString(), "--no-same-owner",
                        "--exclude=./data", "--exclude=data"));
            }
            assertThat(listing).anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith("usr/local/bin/modeld"));
            assertThat(listing).as("the data volume belongs to modeld's user")
                    .anyMatch(l -> l.startsWith("drwxr-x---") && l.contains("10001/10001") && l.matches(".* \\.?/?data/?$"));
            assertThat(root.resolve("app/resources/native/linux-x64/gpu/libggml-vulkan.so")).isRegularFile();
            assertThat(root.resolve("app/classes/io/modeld/Main.class")).isRegularFile();
            assertThat(Files.readString(root.resolve("app/jib-main-class-file")).strip()).isEqualTo("io.modeld.Main");

            // the command the launcher runs, on the files the layers hold
            String launcher = Files.readString(root.resolve("usr/local/bin/modeld"));
            assertThat(launcher).contains("/app/jib-classpath-file").contains("/app/jib-main-class-file");
            String classpath = Files.readString(root.resolve("app/jib-classpath-file")).strip().replace("/app/",
                    root.resolve("app") + "/");
            try (Stream<Path> libs = Files.list(root.resolve("app/libs"))) {
                assertThat(libs.count()).isPositive();
            }
            String version = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    classpath, "io.modeld.Main", "--version"));
            assertThat(version).startsWith("modeld ");
        }
    }
}
