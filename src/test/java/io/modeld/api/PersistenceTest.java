package io.modeld.api;

import static io.modeld.api.ModelsApiTest.seeded;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.Catalog;
import io.modeld.config.Config;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceTest {

    @TempDir
    Path dataDir;

    @Test
    void created_and_updated_models_survive_a_restart() {
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            ObjectNode body = seeded("Survivor");
            body.put("unique", "survivor");
            ObjectNode created = (ObjectNode) ok(daemon.post("/models/create", body));
            created.put("description", "updated before the restart");
            ok(daemon.post("/model/update", created));

            daemon.restart();

            JsonNode after = ok(daemon.get("/model/survivor"));
            assertThat(after.get("id")).isEqualTo(created.get("id"));
            assertThat(after.get("description").asText()).isEqualTo("updated before the restart");
            assertThat(after.get("created")).isEqualTo(created.get("created"));
            assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(13);
        }
    }

    @Test
    void catalog_ids_are_stable_across_data_dirs(@TempDir Path other) {
        try (TestDaemon a = TestDaemon.start(dataDir); TestDaemon b = TestDaemon.start(other)) {
            assertThat(ok(a.get("/models")).get("iterable").findValuesAsText("id"))
                    .isEqualTo(ok(b.get("/models")).get("iterable").findValuesAsText("id"));
        }
    }

    @Test
    void a_changed_catalog_updates_entries_and_keeps_custom_models(@TempDir Path tmp) throws Exception {
        Path catalogFile = tmp.resolve("catalog.json");
        ArrayNode catalog = (ArrayNode) Json.MAPPER.readTree(Catalog.class.getResourceAsStream("/catalog.json"));
        Files.writeString(catalogFile, catalog.toString());
        Config config = Config.forDataDir(dataDir).withCatalog(catalogFile);
        String tinyId = Catalog.idOf("tinyllama-1.1b-chat-v1.0-q4_k_m");
        String gemmaId = Catalog.idOf("gemma-2-2b-it-q4_k_m");
        String customId;
        JsonNode tinyBefore;
        try (TestDaemon daemon = TestDaemon.start(config)) {
            customId = ok(daemon.post("/models/create", seeded("Mine"))).get("id").asText();
            tinyBefore = ok(daemon.get("/model/" + tinyId));
        }
        // A gemma file on disk: the entry leaves the catalog but must stay while its file does.
        Files.createDirectories(dataDir.resolve("models").resolve(gemmaId));
        markDownloaded(gemmaId);

        ArrayNode changed = Json.MAPPER.createArrayNode();
        for (JsonNode entry : catalog) {
            String unique = entry.get("unique").asText();
            if (unique.startsWith("tinyllama")) {
                ((ObjectNode) entry).put("description", "a new description");
            }
            if (!unique.startsWith("llama-3.2-3b") && !unique.startsWith("gemma")) {
                changed.add(entry);
            }
        }
        ObjectNode added = changed.get(0).deepCopy();
        added.put("unique", "brand-new-model").put("name", "Brand New");
        changed.add(added);
        Files.writeString(catalogFile, changed.toString());

        try (TestDaemon daemon = TestDaemon.start(config)) {
            JsonNode tiny = ok(daemon.get("/model/" + tinyId));
            assertThat(tiny.get("description").asText()).isEqualTo("a new description");
            assertThat(tiny.get("created")).isEqualTo(tinyBefore.get("created"));
            assertThat(ok(daemon.get("/model/" + customId)).get("name").asText()).isEqualTo("Mine");
            assertThat(ok(daemon.get("/model/brand-new-model")).get("id").asText())
                    .isEqualTo(Catalog.idOf("brand-new-model"));
            assertThat(daemon.get("/model/llama-3.2-3b-instruct-q4_k_m").statusCode()).isEqualTo(410);
            JsonNode gemma = ok(daemon.get("/model/" + gemmaId));
            assertThat(gemma.get("downloaded").asBoolean()).isTrue();
            // No longer in the catalog, so it may now be deleted.
            assertThat(daemon.post("/models/" + gemmaId + "/delete", (String) null).statusCode()).isEqualTo(204);
            assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(12);
        }
    }

    @Test
    void a_malformed_catalog_file_stops_startup_with_the_entry_and_field(@TempDir Path tmp) throws Exception {
        Path catalogFile = tmp.resolve("catalog.json");
        Files.writeString(catalogFile, "[{\"name\": \"x\", \"unique\": \"x\", \"type\": \"HUGE\"}]");
        Config config = Config.forDataDir(dataDir).withCatalog(catalogFile);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestDaemon.start(config))
                .hasMessageContaining("entry 0").hasMessageContaining("type");
    }

    private void markDownloaded(String id) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("modeld.db"));
             var s = c.prepareStatement("UPDATE models SET downloaded = 1, file_name = 'f.gguf', file_size = 1, file_sha256 = '00' WHERE id = ?")) {
            s.setString(1, id);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }
}
