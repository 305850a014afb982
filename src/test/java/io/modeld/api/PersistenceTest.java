package io.modeld.api;

import static io.modeld.testing.Catalogs.BUILT_IN;
import static io.modeld.testing.Catalogs.LISTED;
import static io.modeld.testing.Requests.seeded;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.Catalog;
import io.modeld.config.Config;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
            assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(LISTED + 1);
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
        markDownloaded(gemmaId);

        ArrayNode changed = Json.MAPPER.createArrayNode();
        for (JsonNode entry : catalog) {
            String unique = entry.get("unique").asText();
            if (unique.startsWith("tinyllama")) {
                ((ObjectNode) entry).put("description", "a new description");
            }
            if (!unique.startsWith("llama-3.2-3b") && !unique.startsWith("gemma-2")) {
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
            assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(LISTED);
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

    @Test
    void a_downloaded_model_whose_file_is_gone_is_no_longer_downloaded_and_stray_folders_go() throws Exception {
        String kept = Catalog.idOf("tinyllama-1.1b-chat-v1.0-q4_k_m");
        String vanished = Catalog.idOf("gemma-2-2b-it-q4_k_m");
        String resized = Catalog.idOf("smollm2-1.7b-instruct-q4_k_m");
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            assertThat(ok(daemon.get("/model/" + resized)).get("downloaded").asBoolean()).isFalse();
        }
        markDownloaded(kept);
        markDownloaded(vanished);
        markDownloaded(resized);
        Files.delete(dataDir.resolve("models").resolve(vanished).resolve("f.gguf"));
        Files.writeString(dataDir.resolve("models").resolve(resized).resolve("f.gguf"), "longer");
        Path stray = dataDir.resolve("models").resolve(java.util.UUID.randomUUID().toString());
        Files.createDirectories(stray);
        Files.writeString(stray.resolve("left-by-a-crash.gguf"), "x");
        Path foreign = dataDir.resolve("models").resolve("my-notes");
        Files.createDirectories(foreign);

        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            assertThat(ok(daemon.get("/model/" + kept)).get("downloaded").asBoolean()).isTrue();
            assertThat(ok(daemon.get("/model/" + vanished)).get("downloaded").asBoolean()).isFalse();
            assertThat(ok(daemon.get("/model/" + resized)).get("downloaded").asBoolean()).isFalse();
            try (ProgressFrames frames = ProgressFrames.open(daemon, vanished)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> frames.last() != null);
                assertThat(frames.last().get("status").asText()).isEqualTo("FAILED");
                assertThat(frames.last().get("error").asText()).contains("was gone at startup");
            }
        }
        assertThat(dataDir.resolve("models").resolve(kept).resolve("f.gguf")).exists();
        assertThat(dataDir.resolve("models").resolve(resized)).doesNotExist();
        assertThat(stray).doesNotExist();
        assertThat(foreign).as("folders not named by a model id are not ours to remove").exists();
    }

    /** Marks the model downloaded in the store, as a finished download would, with a one-byte file. */
    private void markDownloaded(String id) throws Exception {
        Path dir = dataDir.resolve("models").resolve(id);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("f.gguf"), "1");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("modeld.db"));
             var s = c.prepareStatement("UPDATE models SET downloaded = 1, file_name = 'f.gguf', file_size = 1, file_sha256 = '00' WHERE id = ?")) {
            s.setString(1, id);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }
}
