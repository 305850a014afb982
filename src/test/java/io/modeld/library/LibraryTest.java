package io.modeld.library;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.config.Config;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.LibraryLayouts;
import io.modeld.testing.LogCapture;
import io.modeld.testing.TestDaemon;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models already on the disk, in the layouts of Ollama, the Hugging Face cache, LM Studio and a plain
 * folder (with a split model, a projector and a corrupt file), used in place through every API.
 */
class LibraryTest {

    @TempDir
    Path home;
    private Path ollama;
    private Path hub;
    private Path lmStudio;
    private Path folder;
    private Path ollamaBlob;
    private Path hfMain;
    private Path lmFile;
    private final List<TestDaemon> daemons = new ArrayList<>();

    @BeforeEach
    void layOut() throws IOException {
        ollama = home.resolve(".ollama/models");
        hub = home.resolve(".cache/huggingface/hub");
        lmStudio = home.resolve(".lmstudio/models");
        folder = Files.createDirectories(home.resolve("my-models"));
        Path a = home.resolve("a.gguf");
        Path b = home.resolve("b.gguf");
        TinyModels.qwen3(a, 1);
        TinyModels.gemma3(b, 2);
        ollamaBlob = LibraryLayouts.ollama(ollama, "library", "tiny", "latest", a, "You are tiny.");
        LibraryLayouts.ollama(ollama, "library", "tiny", "q8", a, null);
        LibraryLayouts.huggingFace(hub, "acme", "tiny-GGUF", "1111aaaa", "tiny-Q8_0.gguf", a, false);
        hfMain = LibraryLayouts.huggingFace(hub, "acme", "tiny-GGUF", "2222bbbb", "tiny-Q8_0.gguf", b, true);
        lmFile = LibraryLayouts.lmStudio(lmStudio, "lmstudio-community", "Tiny-GGUF", "tiny-Q4_K_M.gguf", b);
        Path split = Files.createDirectories(folder.resolve("split"));
        TinyModels.qwen3Split(split, "splitty", 2, 3);
        Files.copy(a, split.resolve("mmproj-splitty-f16.gguf"));
        Files.write(folder.resolve("corrupt.gguf"), "GGUF but not really".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        daemons.forEach(TestDaemon::close);
    }

    private TestDaemon start(String... roots) {
        Config config = Config.forDataDir(home.resolve("data-" + daemons.size())).toBuilder()
                .library(List.of(roots)).build();
        TestDaemon d = TestDaemon.start(config);
        daemons.add(d);
        return d;
    }

    private TestDaemon startAll() {
        return start("ollama=" + ollama, "huggingface=" + hub, "lmstudio=" + lmStudio, folder.toString());
    }

    private static Map<String, JsonNode> byName(TestDaemon d) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode m : ok(d.get("/models")).get("iterable")) {
            if (m.has("library")) {
                out.put(m.get("name").asText(), m);
            }
        }
        return out;
    }

    @Test
    void every_root_lists_its_models_named_as_its_tool_names_them_with_their_metadata() {
        TestDaemon d;
        try (LogCapture log = new LogCapture()) {
            d = startAll();
            assertThat(log.lines()).filteredOn(l -> l.contains("corrupt.gguf")).hasSize(1);
        }
        Map<String, JsonNode> models = byName(d);
        assertThat(models.keySet()).containsExactlyInAnyOrder("tiny:latest", "tiny:q8",
                "acme/tiny-GGUF/tiny-Q8_0.gguf", "lmstudio-community/Tiny-GGUF/tiny-Q4_K_M.gguf",
                "split/splitty-00001-of-00002.gguf");

        JsonNode latest = models.get("tiny:latest");
        assertThat(latest.get("downloaded").asBoolean()).isTrue();
        assertThat(latest.get("family").asText()).isEqualTo("qwen3");
        assertThat(latest.get("maxTokens").get("total").asInt()).isEqualTo(512);
        assertThat(latest.get("quantization").asText()).isEqualTo("F32");
        assertThat(latest.get("library").get("root").asText()).isEqualTo("ollama");
        assertThat(latest.get("library").get("files").get(0).asText()).isEqualTo(ollamaBlob.toString());
        assertThat(models.get("tiny:q8").get("library").get("files").get(0).asText()).isEqualTo(ollamaBlob.toString());

        // refs/main names the second revision: its file (the gemma3 one) wins over the first revision's.
        JsonNode hf = models.get("acme/tiny-GGUF/tiny-Q8_0.gguf");
        assertThat(hf.get("family").asText()).isEqualTo("gemma3");
        assertThat(hf.get("library").get("files").get(0).asText()).isEqualTo(hfMain.toString());
        assertThat(hf.get("ollama").asText()).isEqualTo("hf.co/acme/tiny-GGUF:Q8_0");
        assertThat(models.get("lmstudio-community/Tiny-GGUF/tiny-Q4_K_M.gguf").get("ollama").asText())
                .isEqualTo("lmstudio-community/Tiny-GGUF:Q4_K_M");

        JsonNode split = models.get("split/splitty-00001-of-00002.gguf");
        assertThat(split.get("library").get("files")).hasSize(2);
        assertThat(split.get("library").get("projector").asText()).endsWith("mmproj-splitty-f16.gguf");
        assertThat(split.get("bytes").get("value").asLong()).isEqualTo(size(split.get("library").get("files")));

        // Ollama's and OpenAI's lists show the same models.
        List<String> tags = new ArrayList<>();
        ok(d.get("/api/tags")).get("models").forEach(m -> tags.add(m.get("name").asText()));
        assertThat(tags).contains("tiny:latest", "tiny:q8", "hf.co/acme/tiny-GGUF:Q8_0",
                "lmstudio-community/Tiny-GGUF:Q4_K_M", "splitty:latest");
        List<String> v1 = new ArrayList<>();
        ok(d.get("/v1/models")).get("data").forEach(m -> v1.add(m.get("id").asText()));
        for (JsonNode m : models.values()) {
            assertThat(v1).contains(m.get("id").asText());
        }
        // Ollama's template, system prompt and parameters are kept.
        JsonNode show = ok(d.post("/api/show", "{\"model\": \"tiny\"}"));
        assertThat(show.get("system").asText()).isEqualTo("You are tiny.");
        assertThat(show.get("parameters").asText()).contains("temperature");
    }

    private static long size(JsonNode files) {
        long total = 0;
        for (JsonNode f : files) {
            try {
                total += Files.size(Path.of(f.asText()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return total;
    }

    @Test
    void models_load_and_generate_in_place_and_the_data_dir_does_not_grow() throws Exception {
        TestDaemon d = startAll();
        long before = sizeOf(d.dataDir());
        // Ollama's name on Ollama's API
        JsonNode chat = ok(d.post("/api/chat", "{\"model\": \"tiny:q8\", \"stream\": false, \"messages\": "
                + "[{\"role\": \"user\", \"content\": \"Hi\"}], \"options\": {\"num_predict\": 4}}"));
        assertThat(chat.get("eval_count").asInt()).isPositive();
        // the Hugging Face name on OpenAI's API
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", "hf.co/acme/tiny-GGUF:Q8_0")
                .put("prompt", "Hello").put("max_tokens", 3).put("ignore_eos", true);
        assertThat(ok(d.post("/v1/completions", body)).get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        // the split model, by id, on the Pieces API
        String split = byName(d).get("split/splitty-00001-of-00002.gguf").get("id").asText();
        assertThat(ok(d.post("/model/" + split + "/load", "")).get("loaded").asBoolean()).isTrue();
        body.put("model", split);
        assertThat(ok(d.post("/v1/completions", body)).get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        assertThat(sizeOf(d.dataDir()) - before).isLessThan(1 << 20);
    }

    @Test
    void removing_a_library_model_is_refused_naming_its_root_and_its_file_stays() throws Exception {
        TestDaemon d = startAll();
        String digest = LibraryLayouts.sha256(ollamaBlob);
        JsonNode tiny = byName(d).get("tiny:latest");
        String id = tiny.get("id").asText();
        for (String path : List.of("/models/" + id + "/delete", "/models/" + id + "/delete/cache")) {
            HttpResponse<String> r = d.post(path, "");
            assertThat(r.statusCode()).as(path).isEqualTo(403);
            assertThat(r.body()).contains("Ollama's store").contains(ollama.toString()).contains("ollama rm tiny");
        }
        HttpResponse<String> r = d.send(java.net.http.HttpRequest.newBuilder(d.uri("/api/delete"))
                .method("DELETE", java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\": \"tiny:q8\"}")).build());
        assertThat(r.statusCode()).isEqualTo(403);
        ObjectNode update = ((ObjectNode) tiny.deepCopy()).put("name", "renamed");
        assertThat(d.post("/model/update", update).statusCode()).isEqualTo(403);
        String lmId = byName(d).get("lmstudio-community/Tiny-GGUF/tiny-Q4_K_M.gguf").get("id").asText();
        assertThat(d.post("/models/" + lmId + "/delete/cache", "").body()).contains("LM Studio");

        assertThat(LibraryLayouts.sha256(ollamaBlob)).isEqualTo(digest);
        assertThat(Files.exists(lmFile)).isTrue();
        assertThat(byName(d)).containsKeys("tiny:latest", "tiny:q8");
    }

    @Test
    void files_added_changed_and_removed_while_running_are_seen_within_seconds() throws Exception {
        TestDaemon d = startAll();
        Path added = folder.resolve("late/added.gguf");
        Files.createDirectories(added.getParent());
        TinyModels.qwen3(home.resolve("late.tmp"), 9);
        Files.move(home.resolve("late.tmp"), added);
        JsonNode m = await(d, "late/added.gguf", x -> x != null);
        assertThat(m.get("family").asText()).isEqualTo("qwen3");
        String id = m.get("id").asText();

        TinyModels.gemma3(home.resolve("changed.tmp"), 9);
        Files.move(home.resolve("changed.tmp"), added, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        m = await(d, "late/added.gguf", x -> x != null && x.get("family").asText().equals("gemma3"));
        assertThat(m.get("id").asText()).isEqualTo(id);

        Files.delete(added);
        await(d, "late/added.gguf", x -> x == null);
        Files.delete(lmFile);
        await(d, "lmstudio-community/Tiny-GGUF/tiny-Q4_K_M.gguf", x -> x == null);
    }

    private static JsonNode await(TestDaemon d, String name, Predicate<JsonNode> done) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode m = byName(d).get(name);
        while (!done.test(m)) {
            assertThat(System.nanoTime()).as("within 5 s: " + name).isLessThan(end);
            Thread.sleep(50);
            m = byName(d).get(name);
        }
        return m;
    }

    @Test
    void ids_and_facts_are_the_same_after_a_restart_which_reads_no_header_again() {
        TestDaemon d = startAll();
        Map<String, JsonNode> first = byName(d);
        assertThat(d.dataDir().resolve("library-headers.json")).exists();
        try (LogCapture log = new LogCapture()) {
            d.restart();
            assertThat(log.lines()).anyMatch(l -> l.contains("library: 5 models in") && l.contains("(0 headers read"));
        }
        Map<String, JsonNode> again = byName(d);
        assertThat(again).isEqualTo(first).hasSize(5);
    }

    @Test
    void one_file_reached_by_two_paths_is_one_model() throws Exception {
        Path links = Files.createDirectories(home.resolve("links"));
        Files.createSymbolicLink(links.resolve("symlinked.gguf"), lmFile);
        Files.createLink(links.resolve("hardlinked.gguf"), lmFile);
        TestDaemon d = start("lmstudio=" + lmStudio, links.toString());
        assertThat(byName(d).keySet()).containsExactly("lmstudio-community/Tiny-GGUF/tiny-Q4_K_M.gguf");
    }

    @Test
    void a_file_linked_on_create_is_used_in_place_kept_across_restarts_and_never_deleted() throws Exception {
        TestDaemon d = start();
        Path file = home.resolve("mine.gguf");
        TinyModels.qwen3(file, 5);
        String digest = LibraryLayouts.sha256(file);
        ObjectNode create = Json.MAPPER.createObjectNode().put("name", "mine").put("unique", "mine");
        create.putObject("source").put("url", file.toUri().toString()).put("link", true);
        JsonNode m = ok(d.post("/models/create", create));
        assertThat(m.get("downloaded").asBoolean()).isTrue();
        assertThat(m.get("library").get("root").asText()).isEqualTo("link");
        long before = sizeOf(d.dataDir());
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", "mine").put("prompt", "Hi").put("max_tokens", 2)
                .put("ignore_eos", true);
        assertThat(ok(d.post("/v1/completions", body)).get("usage").get("completion_tokens").asInt()).isEqualTo(2);
        assertThat(sizeOf(d.dataDir()) - before).isLessThan(1 << 20);

        d.restart();
        assertThat(ok(d.get("/model/mine")).get("downloaded").asBoolean()).isTrue();
        HttpResponse<String> cache = d.post("/models/mine/delete/cache", "");
        assertThat(cache.statusCode()).isEqualTo(403);
        assertThat(cache.body()).contains(file.toString());
        assertThat(d.post("/models/mine/delete", "").statusCode()).isEqualTo(204);
        assertThat(d.get("/model/mine").statusCode()).isEqualTo(410);   // the Pieces API's "no such model"
        assertThat(LibraryLayouts.sha256(file)).isEqualTo(digest);

        ObjectNode remote = Json.MAPPER.createObjectNode().put("name", "x");
        remote.putObject("source").put("url", "https://example.com/x.gguf").put("link", true);
        HttpResponse<String> refused = d.post("/models/create", remote);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("source.link");
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            long total = 0;
            for (Path p : all.toList()) {
                if (Files.isRegularFile(p) && !p.startsWith(dir.resolve("lib")) && !p.startsWith(dir.resolve("logs"))) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }
}
