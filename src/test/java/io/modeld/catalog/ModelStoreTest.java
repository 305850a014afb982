package io.modeld.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    @TempDir
    Path dataDir;

    @Test
    void upgrades_a_store_from_an_older_migration_keeping_its_models() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("modeld.db"));
             Statement s = c.createStatement()) {
            s.execute(Migrations.STEPS.get(0));
            s.execute("PRAGMA user_version = 1");
            s.execute("INSERT INTO models (id, unique_name, custom, created, spec, downloaded, file_name) VALUES "
                    + "('7f1c9a52-3b1e-4c5e-9d1a-2b7b8f0e4a11', 'old', 1, '2026-01-01T00:00:00Z', "
                    + "'{\"name\":\"Old\",\"version\":\"1\",\"cloud\":false,\"type\":\"UNKNOWN\",\"usage\":\"UNKNOWN\"}', 0, NULL)");
        }
        try (ModelStore store = ModelStore.open(dataDir)) {
            assertThat(store.migration()).isEqualTo(Migrations.LATEST).isGreaterThan(1);
            List<ModelRecord> all = store.loadAll();
            assertThat(all).hasSize(1);
            ModelRecord old = all.get(0);
            assertThat(old.spec().name()).isEqualTo("Old");
            assertThat(old.created()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(old.downloaded()).isFalse();
            assertThat(old.failure()).isNull();

            store.write(List.of(old.withFile(new ModelRecord.LocalFile("m.gguf", 42, "ab".repeat(32)))), List.of());
            assertThat(store.loadAll().get(0).file()).isEqualTo(new ModelRecord.LocalFile("m.gguf", 42, "ab".repeat(32)));
        }
    }

    @Test
    void refuses_a_store_from_a_newer_modeld() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("modeld.db"));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> ModelStore.open(dataDir)).hasMessageContaining("migration 99")
                .hasMessageContaining("newer modeld");
    }

    @Test
    void a_write_that_fails_half_way_changes_nothing() {
        try (ModelStore store = ModelStore.open(dataDir)) {
            ModelRecord a = new ModelRecord("7f1c9a52-3b1e-4c5e-9d1a-2b7b8f0e4a12", Instant.EPOCH, true,
                    new ModelSpec("A", "1", null, false, "UNKNOWN", "UNKNOWN", null, null, null, null, "same", null,
                            null, null, null, null, null, null, null, null, null, null, null), null, null);
            ModelRecord b = new ModelRecord("7f1c9a52-3b1e-4c5e-9d1a-2b7b8f0e4a13", Instant.EPOCH, true,
                    new ModelSpec("B", "1", null, false, "UNKNOWN", "UNKNOWN", null, null, null, null, "same", null,
                            null, null, null, null, null, null, null, null, null, null, null), null, null);
            assertThatThrownBy(() -> store.write(List.of(a, b), List.of()))
                    .isInstanceOf(ModelStore.StoreException.class);
            assertThat(store.loadAll()).isEmpty();
        }
    }
}
