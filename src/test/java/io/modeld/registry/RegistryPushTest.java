package io.modeld.registry;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.cli.ModeldCommand;
import io.modeld.config.Config;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.LocalRegistry;
import io.modeld.testing.ModelImages;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import io.modeld.testing.TokenGate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes to Debian's docker-registry, read back by skopeo and pulled by a second daemon; updates of what changed. */
class RegistryPushTest {

    @TempDir
    Path tmp;
    private LocalRegistry registry;
    private final List<TestDaemon> daemons = new ArrayList<>();
    private byte[] gguf;
    private Path file;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(LocalRegistry.installed(), "docker-registry is not installed (.ci/run installs it)");
        registry = LocalRegistry.start(tmp.resolve("registry"));
        file = tmp.resolve("tiny.gguf");
        TinyModels.qwen3(file, 1);
        gguf = Files.readAllBytes(file);
    }

    @AfterEach
    void stop() {
        daemons.forEach(TestDaemon::close);
        if (registry != null) {
            registry.close();
        }
    }

    private TestDaemon daemon() {
        TestDaemon d = TestDaemon.start(Config.forDataDir(tmp.resolve("data-" + daemons.size())));
        daemons.add(d);
        return d;
    }

    /** A downloaded model with a system prompt and parameters (made through Ollama's create). */
    private String tinyWithModelfile(TestDaemon d, String name) throws Exception {
        String digest = "sha256:" + FileServer.sha256(gguf);
        assertThat(d.send(java.net.http.HttpRequest.newBuilder(d.uri("/api/blobs/" + digest))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(gguf)).build()).statusCode()).isIn(200, 201);
        String lines = d.post("/api/create", "{\"model\": \"" + name + "\", \"files\": {\"tiny.gguf\": \"" + digest
                + "\"}, \"system\": \"You were pushed.\", \"parameters\": {\"temperature\": 0.3}}").body();
        assertThat(lines).contains("success");
        return ok(d.post("/api/show", "{\"model\": \"" + name + "\"}")).path("model_info").isMissingNode() ? name : name;
    }

    private static JsonNode pull(TestDaemon d, String url) throws Exception {
        return Downloading.fromSource(d, "pulled", url).model();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cli(TestDaemon d, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = ModeldCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", "http://127.0.0.1:" + d.port()));
        return new Run(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    private static String skopeo(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("skopeo"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void modeld_push_writes_ollamas_layout_that_skopeo_reads_and_another_daemon_pulls() throws Exception {
        TestDaemon a = daemon();
        tinyWithModelfile(a, "pushme");
        Run push = cli(a, "push", "pushme", "oci://" + registry.host() + "/team/pushed:v1");
        assertThat(push.code()).as(push.err()).isZero();
        assertThat(push.out()).contains("pushme: pushed to oci://" + registry.host() + "/team/pushed:v1");

        JsonNode manifest = Json.MAPPER.readTree(skopeo("inspect", "--raw", "--tls-verify=false",
                "docker://" + registry.host() + "/team/pushed:v1"));
        assertThat(manifest.get("mediaType").asText()).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
        List<String> types = new ArrayList<>();
        manifest.get("layers").forEach(l -> types.add(l.get("mediaType").asText()));
        assertThat(types).containsExactly("application/vnd.ollama.image.model", "application/vnd.ollama.image.system",
                "application/vnd.ollama.image.params");
        String modelDigest = manifest.get("layers").get(0).get("digest").asText();
        assertThat(modelDigest).isEqualTo("sha256:" + FileServer.sha256(gguf));
        byte[] back = registry.get("/v2/team/pushed/blobs/" + modelDigest, null).body();
        assertThat(FileServer.sha256(back)).isEqualTo(FileServer.sha256(gguf));

        TestDaemon b = daemon();
        JsonNode pulled = pull(b, "oci://" + registry.host() + "/team/pushed:v1");
        assertThat(pulled.get("downloaded").asBoolean()).isTrue();
        JsonNode show = ok(b.post("/api/show", "{\"model\": \"" + pulled.get("id").asText() + "\"}"));
        assertThat(show.get("system").asText()).isEqualTo("You were pushed.");
        assertThat(show.get("parameters").asText()).contains("temperature 0.3");
    }

    @Test
    void a_second_push_sends_no_blob_again_and_another_repository_mounts_them() throws Exception {
        try (TokenGate gate = TokenGate.start(registry, null, 60_000)) {
            TestDaemon a = daemon();
            ModelImages.ollama(registry, "team/source", "v1", gguf, null, "From the source.", null);
            JsonNode pulled = pull(a, "oci://" + gate.host() + "/team/source:v1");
            String id = pulled.get("id").asText();
            int before = gate.requests().size();
            Run push = cli(a, "push", id, "oci://" + gate.host() + "/team/copy:v1");
            assertThat(push.code()).as(push.err()).isZero();
            List<String> pushRequests = gate.requests().subList(before, gate.requests().size());
            assertThat(pushRequests).anyMatch(r -> r.startsWith("POST") && r.contains("mount=sha256:" + FileServer.sha256(gguf))
                    && r.contains("from=team/source"));
            // The weights and the system prompt are mounted; only the config, which modeld writes anew, is sent.
            assertThat(pushRequests).filteredOn(r -> r.startsWith("PATCH")).hasSize(1);
            int mid = gate.requests().size();
            assertThat(cli(a, "push", id, "oci://" + gate.host() + "/team/copy:v1").code()).isZero();
            List<String> again = gate.requests().subList(mid, gate.requests().size());
            assertThat(again).noneMatch(r -> r.startsWith("PATCH") || r.startsWith("POST"));
            assertThat(again).anyMatch(r -> r.startsWith("PUT") && r.contains("/manifests/v1"));
        }
    }

    @Test
    void ollamas_push_sends_a_model_to_the_registry_its_name_names() throws Exception {
        TestDaemon a = daemon();
        tinyWithModelfile(a, "local");
        String name = registry.host() + "/team/viaollama:v2";
        assertThat(a.post("/api/copy", "{\"source\": \"local\", \"destination\": \"" + name + "\"}").statusCode()).isEqualTo(200);
        String lines = a.post("/api/push", "{\"model\": \"" + name + "\"}").body();
        assertThat(lines).contains("\"status\":\"retrieving manifest\"").contains("\"completed\"")
                .endsWith("{\"status\":\"success\"}\n");
        JsonNode manifest = Json.MAPPER.readTree(skopeo("inspect", "--raw", "--tls-verify=false",
                "docker://" + registry.host() + "/team/viaollama:v2"));
        assertThat(manifest.get("layers").get(0).get("digest").asText()).isEqualTo("sha256:" + FileServer.sha256(gguf));
        String bad = a.post("/api/push", "{\"model\": \"local\", \"stream\": false}").body();
        assertThat(bad).contains("error");
    }

    @Test
    void outdated_tells_a_changed_manifest_and_update_fetches_only_what_changed() throws Exception {
        try (TokenGate gate = TokenGate.start(registry, null, 60_000)) {
            TestDaemon a = daemon();
            ModelImages.ollama(registry, "team/upd", "v1", gguf, null, "First.", null);
            String id = pull(a, "oci://" + gate.host() + "/team/upd:v1").get("id").asText();
            JsonNode check = ok(a.get("/models/outdated")).get("iterable").get(0);
            assertThat(check.get("outdated").asBoolean()).isFalse();
            assertThat(cli(a, "outdated").code()).isZero();

            ModelImages.ollama(registry, "team/upd", "v1", gguf, null, "Second.", null);
            check = ok(a.get("/models/outdated")).get("iterable").get(0);
            assertThat(check.get("outdated").asBoolean()).isTrue();
            Run outdated = cli(a, "outdated");
            assertThat(outdated.code()).isEqualTo(7);
            assertThat(outdated.out()).contains("outdated");

            int before = gate.requests().size();
            try (ProgressFrames frames = ProgressFrames.open(a, id)) {
                ok(a.post("/model/" + id + "/download/update", ""));
                Downloading.awaitTerminal(a, id, frames);
                assertThat(frames.last().get("status").asText()).isEqualTo("COMPLETED");
            }
            List<String> during = gate.requests().subList(before, gate.requests().size());
            assertThat(during).noneMatch(r -> r.contains("/blobs/sha256:" + FileServer.sha256(gguf)));
            assertThat(ok(a.post("/api/show", "{\"model\": \"" + id + "\"}")).get("system").asText()).isEqualTo("Second.");
            assertThat(ok(a.get("/models/outdated")).get("iterable").get(0).get("outdated").asBoolean()).isFalse();
            Run update = cli(a, "pull", "--update", id);
            assertThat(update.out()).contains("up to date");
        }
    }
}
