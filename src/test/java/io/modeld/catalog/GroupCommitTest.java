package io.modeld.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.config.DataDir;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent writes through {@link ModelService} share transactions, and a failed one publishes nothing. */
class GroupCommitTest {

    @TempDir
    Path dataDir;

    private static JsonNode seeded(String unique) throws Exception {
        return Json.MAPPER.readTree("{\"name\": \"" + unique + "\", \"unique\": \"" + unique + "\"}");
    }

    @Test
    void concurrent_creates_are_all_stored_announced_once_each_and_readable_when_answered() throws Exception {
        ModelStore store = ModelStore.open(dataDir);
        ModelService models = new ModelService(store, Clock.systemUTC(), new DataDir(dataDir));
        models.start(List.of());
        List<ModelChange> announced = new CopyOnWriteArrayList<>();
        models.subscribe(announced::add);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ModelRecord>> creates = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String unique = "m" + i;
            creates.add(pool.submit(() -> {
                go.await();
                ModelRecord r = models.create(seeded(unique));
                assertThat(models.get(r.id())).as("readable once answered").isEqualTo(r);
                return r;
            }));
        }
        go.countDown();
        List<String> ids = new ArrayList<>();
        for (Future<ModelRecord> f : creates) {
            ids.add(f.get().id());
        }
        pool.shutdown();
        assertThat(store.loadAll()).extracting(ModelRecord::id).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(announced).extracting(ModelChange::id).containsExactlyInAnyOrderElementsOf(ids);
        store.close();
    }

    @Test
    void a_transaction_that_fails_fails_its_writes_and_publishes_none_of_them() throws Exception {
        ModelStore store = ModelStore.open(dataDir);
        ModelService models = new ModelService(store, Clock.systemUTC(), new DataDir(dataDir));
        models.start(List.of());
        ModelRecord kept = models.create(seeded("kept"));
        store.close();   // every transaction from now on fails

        assertThatThrownBy(() -> models.create(seeded("lost"))).isInstanceOf(ModelStore.StoreException.class);
        assertThat(models.list()).containsExactly(kept);
        // The failed model was taken back from the state writes are checked against, too: creating it
        // again is a new attempt, not a duplicate of a model that never reached the disk.
        assertThatThrownBy(() -> models.create(seeded("lost"))).isInstanceOf(ModelStore.StoreException.class);
        try (ModelStore reopened = ModelStore.open(dataDir)) {
            assertThat(reopened.loadAll()).extracting(ModelRecord::id).containsExactly(kept.id());
        }
    }
}
