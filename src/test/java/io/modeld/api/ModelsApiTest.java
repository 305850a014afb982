package io.modeld.api;

import static io.modeld.testing.Catalogs.BUILT_IN;
import static io.modeld.testing.Catalogs.LISTED;
import static io.modeld.testing.Requests.assertError;
import static io.modeld.testing.Requests.seeded;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.Catalog;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ModelsApiTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();


    @Test
    void lists_the_catalog_models_with_sdk_fields() {
        JsonNode models = ok(daemon.get("/models"));
        JsonNode iterable = models.get("iterable");
        assertThat(iterable).hasSize(LISTED);
        assertThat(models.get("schema").get("migration").asInt()).isEqualTo(7);
        List<String> uniques = new ArrayList<>();
        JsonNode alias = iterable.get(iterable.size() - 1);
        assertThat(alias.get("name").asText()).isEqualTo("GPT-3.5-turbo Chat Model");
        assertThat(alias.get("cloud").asBoolean()).isFalse();
        assertThat(alias.get("downloaded").asBoolean()).as("its target is not downloaded").isFalse();
        JsonNode target = ok(daemon.get("/model/" + alias.get("alias").asText()));
        assertThat(target.get("role").asText()).isEqualTo("generator");
        assertThat(alias.get("description").asText()).contains(target.get("name").asText());
        assertThat(ok(daemon.get("/model/" + alias.get("id").asText()))).isEqualTo(alias);
        for (JsonNode m : iterable) {
            if (m == alias) {
                continue;
            }
            uniques.add(m.get("unique").asText());
            assertThat(m.get("id").asText()).isEqualTo(Catalog.idOf(m.get("unique").asText()));
            assertThat(m.get("cloud").isBoolean()).isTrue();
            assertThat(m.get("cloud").asBoolean()).isFalse();
            assertThat(m.get("cpu").asBoolean()).isTrue();
            assertThat(m.get("downloaded").isBoolean()).isTrue();
            assertThat(m.get("downloading").asBoolean()).isFalse();
            assertThat(m.get("loaded").asBoolean()).isFalse();
            assertThat(m.get("custom").asBoolean()).isFalse();
            String role = m.get("role").asText();
            assertThat(m.get("usage").asText()).isEqualTo(switch (role) {
                case "embedder" -> "TEXT_EMBEDDING";
                case "reranker" -> "CODE_SEARCH";
                default -> "CODE_CONVERSATION";
            });
            if (m.has("bytes")) {
                assertThat(m.get("bytes").get("value").asLong()).isPositive();
                assertThat(m.get("bytes").get("readable").asText()).matches("\\d+\\.\\d (MB|GB)");
            }
            if (role.equals("generator")) {
                assertThat(m.get("ram").get("value").asLong()).isGreaterThan(m.get("bytes").get("value").asLong());
            }
            assertThat(m.get("source").get("sha256").asText()).matches("[0-9a-f]{64}");
            assertThat(m.get("source").get("url").asText()).startsWith("https://huggingface.co/");
            assertThat(m.get("ollama").asText()).matches("[a-z0-9][a-z0-9._-]*:[a-z0-9A-Z._-]+");
            assertThat(m.get("released").asInt()).isBetween(2021, 2026);
            assertThat(m.get("created").get("value").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(m.get("schema").get("semantic").asText()).isEqualTo("MAJOR_0_MINOR_0_PATCH_1");
        }
        assertThat(uniques).contains("llama-3.2-1b-instruct-q4_k_m", "tinyllama-1.1b-chat-v1.0-q4_k_m").doesNotHaveDuplicates();
    }

    @Test
    void creates_a_custom_model_and_lists_it() {
        ObjectNode body = seeded("My Model");
        body.put("unique", "my-model");
        body.putObject("source").put("url", "https://example.org/models/my.gguf");
        JsonNode created = ok(daemon.post("/models/create", body));
        assertThat(created.get("custom").asBoolean()).isTrue();
        assertThat(created.get("name").asText()).isEqualTo("My Model");
        assertThat(created.get("id").asText()).matches("[0-9a-f-]{36}");
        assertThat(created.get("downloaded").asBoolean()).isFalse();
        assertThat(created.get("source").get("url").asText()).isEqualTo("https://example.org/models/my.gguf");

        JsonNode list = ok(daemon.get("/models")).get("iterable");
        assertThat(list).hasSize(LISTED + 1);
        assertThat(list.get(BUILT_IN).get("id").asText()).isEqualTo(created.get("id").asText());
        assertThat(ok(daemon.get("/model/my-model")).get("id")).isEqualTo(created.get("id"));
    }

    @Test
    void create_from_a_local_gguf_fills_what_the_file_says(@TempDir Path dir) throws Exception {
        Path gguf = dir.resolve("tiny.gguf");
        TinyLlama.TINY.write(gguf, 1);
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", "Local tiny");
        body.putObject("source").put("url", gguf.toUri().toString());
        JsonNode created = ok(daemon.post("/models/create", body));
        assertThat(created.get("quantization").asText()).isEqualTo("F32");
        assertThat(created.get("maxTokens").get("total").asLong()).isEqualTo(256);
        assertThat(created.get("bytes").get("value").asLong()).isEqualTo(Files.size(gguf));
        assertThat(created.get("ram").get("value").asLong()).as("the runtime's estimate: file, KV cache, buffers, runner")
                .isGreaterThan(Files.size(gguf) + (64L << 20));
        assertThat(created.get("parameters").asDouble()).isEqualTo(0.0);

        ObjectNode given = Json.MAPPER.createObjectNode().put("name", "Local tiny, described").put("quantization", "mine");
        given.putObject("source").put("url", gguf.toUri().toString());
        given.putObject("maxTokens").put("total", 128);
        JsonNode kept = ok(daemon.post("/models/create", given));
        assertThat(kept.get("quantization").asText()).isEqualTo("mine");
        assertThat(kept.get("maxTokens").get("total").asLong()).isEqualTo(128);

        ObjectNode large = Json.MAPPER.createObjectNode().put("name", "Local tiny, large context").put("context", 1024);
        large.putObject("source").put("url", gguf.toUri().toString());
        JsonNode largeContext = ok(daemon.post("/models/create", large));
        assertThat(largeContext.get("context").asInt()).isEqualTo(1024);
        assertThat(largeContext.get("ram").get("value").asLong()).as("a larger KV cache")
                .isGreaterThan(created.get("ram").get("value").asLong());
        large.put("context", 8);
        assertError(daemon.post("/models/create", large), 400, "context");

        Path notGguf = dir.resolve("notes.txt");
        Files.writeString(notGguf, "not a model");
        ObjectNode bad = Json.MAPPER.createObjectNode().put("name", "Bad");
        bad.putObject("source").put("url", notGguf.toUri().toString());
        assertError(daemon.post("/models/create", bad), 400, "is not a GGUF model modeld can read");
        ObjectNode missing = Json.MAPPER.createObjectNode().put("name", "Missing");
        missing.putObject("source").put("url", dir.resolve("nowhere.gguf").toUri().toString());
        assertError(daemon.post("/models/create", missing), 400, "is not a GGUF model modeld can read");
        assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(LISTED + 3);
    }

    @Test
    void create_of_a_matching_model_returns_the_existing_one() {
        ObjectNode byUnique = seeded("First");
        byUnique.put("unique", "dedupe-me");
        String id = ok(daemon.post("/models/create", byUnique)).get("id").asText();
        ObjectNode again = seeded("Second name, same unique");
        again.put("unique", "dedupe-me");
        assertThat(ok(daemon.post("/models/create", again)).get("id").asText()).isEqualTo(id);

        ObjectNode bySource = seeded("Sourced");
        bySource.putObject("source").put("url", "https://example.org/a.gguf");
        String sourcedId = ok(daemon.post("/models/create", bySource)).get("id").asText();
        assertThat(ok(daemon.post("/models/create", bySource)).get("id").asText()).isEqualTo(sourcedId);
        assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(LISTED + 2);
    }

    @Test
    void create_with_a_catalog_unique_name_is_a_conflict() {
        ObjectNode body = seeded("Impostor");
        body.put("unique", "llama-3.2-1b-instruct-q4_k_m");
        HttpResponse<String> r = daemon.post("/models/create", body);
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("unique");
        assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(LISTED);
    }

    @Test
    void create_rejects_invalid_fields_naming_them_and_changes_nothing() {
        ObjectNode badType = seeded("x");
        badType.put("type", "FASTEST");
        assertError(daemon.post("/models/create", badType), 400, "type");
        ObjectNode badParams = seeded("x");
        badParams.put("parameters", "seven");
        assertError(daemon.post("/models/create", badParams), 400, "parameters");
        ObjectNode badSource = seeded("x");
        badSource.putObject("source").put("url", "ftp://example.org/a.gguf");
        assertError(daemon.post("/models/create", badSource), 400, "source.url");
        ObjectNode badSha = seeded("x");
        badSha.putObject("source").put("url", "https://example.org/a.gguf").put("sha256", "abc");
        assertError(daemon.post("/models/create", badSha), 400, "source.sha256");
        ObjectNode noName = seeded("x");
        noName.remove("name");
        assertError(daemon.post("/models/create", noName), 400, "name");
        ObjectNode badCloud = seeded("x");
        badCloud.put("cloud", "false");
        assertError(daemon.post("/models/create", badCloud), 400, "cloud");
        assertError(daemon.post("/models/create", "{\"name\": \"a\\u0000b\"}"), 400, "control character");
        assertError(daemon.post("/models/create", "{\"name\": \"\\ud800\"}"), 400, "lone surrogate");
        assertError(daemon.post("/models/create", "[".repeat(5000) + "]".repeat(5000)), 400, "malformed JSON");
        assertError(daemon.post("/models/create", "{\"name\": "), 400, "malformed JSON");
        assertError(daemon.post("/models/create", "[1,2]"), 400, "body");
        assertError(daemon.post("/models/create", (String) null), 400, "body");
        assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(LISTED);
    }

    @Test
    void refuses_credentials_in_a_source_url_so_no_password_is_stored_or_shown() {
        ObjectNode withPassword = seeded("x");
        withPassword.putObject("source").put("url", "https://user:pass@example.org/x.gguf");
        assertError(daemon.post("/models/create", withPassword), 400, "must not carry credentials");
        assertThat(daemon.post("/models/create", withPassword).body()).contains("HF_TOKEN").doesNotContain("pass@");
        ObjectNode withUser = seeded("x");
        withUser.putObject("source").put("url", "http://token@example.org/x.gguf");
        assertError(daemon.post("/models/create", withUser), 400, "credentials");
        ObjectNode ok = seeded("editable");
        ok.put("unique", "editable");
        String id = ok(daemon.post("/models/create", ok)).get("id").asText();
        ObjectNode update = Json.MAPPER.createObjectNode().put("id", id);
        update.putObject("source").put("url", "https://user:pass@example.org/x.gguf");
        assertError(daemon.post("/model/update", update), 400, "credentials");
        assertThat(daemon.get("/models").body()).doesNotContain("user:pass");
        assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(LISTED + 1);
    }

    @Test
    void checks_every_part_of_a_hugging_face_source() {
        for (String bad : new String[] {"hf://../../x", "hf://owner/repo/../secret.gguf", "hf://owner/../x/f.gguf",
                "hf://own er/repo/f.gguf", "hf://owner/repo/", "hf://owner/repo//f.gguf", "hf://owner/repo/f.gguf@../x",
                "hf://owner/re--po/f.gguf", "hf://-owner/repo/f.gguf", "hf://owner/repo/%2e%2e/f.gguf",
                "hf://owner/repo/f.gguf?x=1", "hf://owner:1/repo/f.gguf"}) {
            ObjectNode body = seeded("x");
            body.putObject("source").put("url", bad);
            assertError(daemon.post("/models/create", body), 400, "source.url");
        }
        for (String good : new String[] {"hf://bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf",
                "hf://mixedbread-ai/mxbai-embed-large-v1/gguf/mxbai-embed-large-v1-f16.gguf@main",
                "hf://Qwen/Qwen3-4B-GGUF/Qwen3-4B-Q4_K_M.gguf@0123456789abcdef0123456789abcdef01234567"}) {
            ObjectNode body = seeded("x " + good.hashCode());
            body.putObject("source").put("url", good);
            assertThat(daemon.post("/models/create", body).statusCode()).as(good).isEqualTo(200);
        }
    }

    @Test
    void deletes_a_custom_model_with_its_files() throws Exception {
        String id = ok(daemon.post("/models/create", seeded("Doomed"))).get("id").asText();
        Path dir = daemon.dataDir().resolve("models").resolve(id);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("doomed.gguf"), "weights");

        HttpResponse<String> r = daemon.post("/models/" + id + "/delete", (String) null);
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(dir).doesNotExist();
        assertThat(daemon.get("/model/" + id).statusCode()).isEqualTo(410);
        assertThat(daemon.post("/models/" + id + "/delete", (String) null).statusCode()).isEqualTo(410);
    }

    @Test
    void refuses_to_delete_a_catalog_model() {
        String id = Catalog.idOf("gemma-2-2b-it-q4_k_m");
        assertError(daemon.post("/models/" + id + "/delete", (String) null), 403, "delete/cache");
        assertThat(daemon.get("/model/" + id).statusCode()).isEqualTo(200);
    }

    @Test
    void delete_cache_removes_the_files_and_keeps_the_entry() throws Exception {
        String id = Catalog.idOf("gemma-2-2b-it-q4_k_m");
        Path dir = daemon.dataDir().resolve("models").resolve(id);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("gemma.gguf"), "weights");

        JsonNode out = ok(daemon.post("/models/" + id + "/delete/cache", "{}"));
        assertThat(out.get("model").get("id").asText()).isEqualTo(id);
        assertThat(out.get("schema").get("migration").asInt()).isEqualTo(7);
        assertThat(dir).doesNotExist();
        JsonNode model = ok(daemon.get("/model/" + id));
        assertThat(model.get("downloaded").asBoolean()).isFalse();
        assertThat(daemon.post("/models/nope/delete/cache", "{}").statusCode()).isEqualTo(410);
    }

    @Test
    void unload_all_answers_no_content() {
        assertThat(daemon.post("/models/unload", (String) null).statusCode()).isEqualTo(204);
    }


    @Test
    void a_source_whose_query_carries_a_credential_is_refused_like_a_password_in_the_url() {
        for (String query : new String[] {"token=hf_abc", "X-Amz-Signature=abc&X-Amz-Credential=k", "api_key=k",
                "sig=abc", "access_token=t"}) {
            HttpResponse<String> r = daemon.post("/models/create", "{\"name\": \"q\", \"source\": {\"url\": "
                    + "\"https://example.org/m.gguf?" + query + "\"}}");
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            assertThat(r.body()).contains("query carries a credential");
        }
        assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(LISTED);
        HttpResponse<String> plain = daemon.post("/models/create", "{\"name\": \"q\", \"source\": {\"url\": "
                + "\"https://example.org/m.gguf?download=true\"}}");
        assertThat(plain.statusCode()).isEqualTo(200);
    }
}
