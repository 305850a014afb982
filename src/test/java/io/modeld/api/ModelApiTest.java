package io.modeld.api;

import static io.modeld.testing.Requests.assertError;
import static io.modeld.testing.Requests.seeded;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.catalog.Catalog;
import io.modeld.testing.TestDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ModelApiTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();

    private ObjectNode createCustom(String unique) {
        ObjectNode body = seeded("Custom " + unique);
        body.put("unique", unique);
        return (ObjectNode) ok(daemon.post("/models/create", body));
    }

    @Test
    void snapshot_by_id_and_by_unique_name_is_the_same_model() {
        String id = Catalog.idOf("tinyllama-1.1b-chat-v1.0-q4_k_m");
        JsonNode byId = ok(daemon.get("/model/" + id));
        JsonNode byUnique = ok(daemon.get("/model/tinyllama-1.1b-chat-v1.0-q4_k_m"));
        assertThat(byId).isEqualTo(byUnique);
        assertThat(byId.get("name").asText()).isEqualTo("TinyLlama 1.1B Chat v1.0");
        assertThat(byId.get("bytes").get("value").asLong()).isEqualTo(668788096L);
        assertThat(byId.get("maxTokens").get("total").asLong()).isEqualTo(2048);
    }

    @Test
    void a_path_that_is_not_valid_utf8_gets_a_plain_text_400_not_an_html_page() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", daemon.port())) {
            socket.getOutputStream().write(("GET /model/%ED%A0%80 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400");
            assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("content-type: text/plain").doesNotContain("<html");
            assertThat(answer).contains("malformed");
        }
    }

    @Test
    void unknown_model_is_gone_and_a_malformed_reference_is_invalid() {
        assertError(daemon.get("/model/00000000-0000-0000-0000-000000000000"), 410, "not found");
        assertError(daemon.get("/model/..%2f..%2fetc%2fpasswd"), 400, "not a model id");
        assertError(daemon.get("/model/%2e%2e"), 400, "not a model id");
    }

    @Test
    void updates_the_fields_a_client_may_change() {
        ObjectNode model = createCustom("editable");
        model.put("name", "Renamed");
        model.put("description", "now with a description");
        model.put("parameters", 3.5);
        model.put("foundation", "LLAMA_3_8B");
        model.putObject("maxTokens").put("total", 8192).put("input", 6144).put("output", 2048);
        JsonNode updated = ok(daemon.post("/model/update", model));
        assertThat(updated.get("name").asText()).isEqualTo("Renamed");
        assertThat(updated.get("description").asText()).isEqualTo("now with a description");
        assertThat(updated.get("parameters").asDouble()).isEqualTo(3.5);
        assertThat(updated.get("foundation").asText()).isEqualTo("LLAMA_3_8B");
        assertThat(updated.get("maxTokens").get("input").asLong()).isEqualTo(6144);
        assertThat(ok(daemon.get("/model/editable"))).isEqualTo(updated);
    }

    @Test
    void update_never_changes_identity_or_runtime_flags() {
        ObjectNode model = createCustom("pinned");
        JsonNode original = model.deepCopy();
        model.put("custom", false);
        model.put("downloaded", true);
        model.put("loaded", true);
        model.put("downloading", true);
        model.putObject("created").put("value", "1999-01-01T00:00:00Z");
        JsonNode updated = ok(daemon.post("/model/update", model));
        assertThat(updated.get("custom").asBoolean()).isTrue();
        assertThat(updated.get("downloaded").asBoolean()).isFalse();
        assertThat(updated.get("loaded").asBoolean()).isFalse();
        assertThat(updated.get("downloading").asBoolean()).isFalse();
        assertThat(updated.get("created")).isEqualTo(original.get("created"));
        assertThat(updated.get("id")).isEqualTo(original.get("id"));
    }

    @Test
    void update_of_a_catalog_model_is_forbidden_and_changes_nothing() {
        ObjectNode model = (ObjectNode) ok(daemon.get("/model/gemma-2-2b-it-q4_k_m"));
        JsonNode before = model.deepCopy();
        model.put("name", "Hijacked");
        assertError(daemon.post("/model/update", model), 403, "catalog");
        assertThat(ok(daemon.get("/model/gemma-2-2b-it-q4_k_m"))).isEqualTo(before);
    }

    @Test
    void update_errors_name_the_problem() {
        ObjectNode model = createCustom("strict");
        ObjectNode unknown = model.deepCopy();
        unknown.put("id", "11111111-1111-1111-1111-111111111111");
        assertError(daemon.post("/model/update", unknown), 410, "not found");
        ObjectNode noId = model.deepCopy();
        noId.remove("id");
        assertError(daemon.post("/model/update", noId), 400, "id");
        ObjectNode badUsage = model.deepCopy();
        badUsage.put("usage", "EVERYTHING");
        assertError(daemon.post("/model/update", badUsage), 400, "usage");
        ObjectNode clash = model.deepCopy();
        clash.put("unique", "llama-3.2-3b-instruct-q4_k_m");
        assertError(daemon.post("/model/update", clash), 409, "unique");
        assertError(daemon.post("/model/update", "not json"), 400, "malformed JSON");
        assertThat(ok(daemon.get("/model/strict"))).isEqualTo(model);
    }

    @Test
    void a_model_that_is_not_downloaded_cannot_be_loaded() {
        String id = Catalog.idOf("gemma-2-2b-it-q4_k_m");
        assertError(daemon.post("/model/" + id + "/load", (String) null), 409, "not downloaded");
        assertThat(ok(daemon.post("/model/" + id + "/unload", (String) null)).get("loaded").asBoolean()).isFalse();
        assertError(daemon.post("/model/nope/load", (String) null), 410, "not found");
        assertError(daemon.post("/model/nope/unload", (String) null), 410, "not found");
    }

    @Test
    void the_progress_endpoint_asks_for_a_websocket_and_knows_unknown_models() {
        String id = Catalog.idOf("gemma-2-2b-it-q4_k_m");
        assertError(daemon.get("/model/" + id + "/download/progress"), 426, "WebSocket");
        assertError(daemon.get("/model/nope/download/progress"), 410, "not found");
        assertError(daemon.post("/model/nope/download", (String) null), 410, "not found");
        assertError(daemon.post("/model/nope/download/cancel", (String) null), 410, "not found");
    }
}
