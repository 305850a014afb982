package io.modeld.fault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.DaemonProcess;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the daemon while clients create, update, download and delete models. After each restart
 * every acknowledged write is there, every write in flight is there whole or not at all, the database
 * passes SQLite's integrity check, and {@code models/} holds exactly the files of the downloaded models.
 */
class KillDuringWritesTest {

    private static final int ROUNDS = 6;
    private static final int WORKERS = 4;
    private static final String GONE = "(deleted)";

    @TempDir
    Path tmp;

    /** What a model may look like after a restart: one state when acknowledged, two while in flight. */
    private static final class Tracked {
        final String unique;
        Set<String> allowed;
        int version;

        Tracked(String unique, Set<String> allowed) {
            this.unique = unique;
            this.allowed = allowed;
        }
    }

    @Test
    void acknowledged_writes_survive_and_writes_in_flight_are_whole_or_absent() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path gguf = tmp.resolve("tiny.gguf");
        TinyLlama.TINY.write(gguf, 5);
        Random random = new Random(6);
        Map<String, Tracked> models = new HashMap<>();
        List<Tracked> unconfirmedCreates = new ArrayList<>();
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        // Downloads cut off by a kill stay unfinished (KillDuringDownloadTest covers resuming them), so
        // nothing changes models/ while a restarted daemon is being checked.
        DaemonProcess daemon = DaemonProcess.start(dataDir, "--no-resume-downloads");
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    Worker worker = new Worker(daemon, round + "-" + w, new Random(random.nextLong()), gguf,
                            acknowledged, inFlight);
                    synchronized (models) {
                        models.forEach((id, t) -> {
                            if (!t.allowed.contains(GONE) && Math.floorMod(id.hashCode(), WORKERS) == worker.slot(WORKERS)) {
                                worker.owned.put(id, t);
                            }
                        });
                    }
                    Thread t = new Thread(() -> {
                        try {
                            worker.run(models, unconfirmedCreates);
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }, "writer-" + w);
                    workers.add(t);
                    t.start();
                }
                Thread.sleep(400 + random.nextInt(1200));
                daemon.kill();
                for (Thread t : workers) {
                    t.join(30_000);
                    assertThat(t.isAlive()).as("a writer still waiting after the kill").isFalse();
                }
                assertThat(errors).as("what the writers saw before the kill").isEmpty();
                assertThat(integrityCheck(dataDir)).isEqualTo("ok");

                daemon = DaemonProcess.start(dataDir, "--no-resume-downloads");
                adoptCreatesInFlight(daemon, models, unconfirmedCreates);
                verify(daemon, dataDir, models);
            }
        } finally {
            daemon.kill();
        }
        System.out.printf("KillDuringWritesTest: %d kills, %d writes acknowledged, %d cut off by a kill, %d models tracked%n",
                ROUNDS, acknowledged.get(), inFlight.get(), models.size());
        assertThat(acknowledged.get()).as("writes acknowledged over all rounds").isGreaterThan(ROUNDS * WORKERS);
        assertThat(inFlight.get()).as("writes cut off by a kill").isPositive();
    }

    /** A create that got no answer may or may not have happened; if it did, it must be whole. */
    private static void adoptCreatesInFlight(DaemonProcess daemon, Map<String, Tracked> models, List<Tracked> creates) {
        for (Tracked t : creates) {
            HttpResponse<String> r = daemon.get("/model/" + t.unique);
            if (r.statusCode() == 200) {
                JsonNode model = json(r);
                assertThat(model.get("description").asText()).as(t.unique).isEqualTo("desc-0");
                t.allowed = Set.of("desc-0");
                models.put(model.get("id").asText(), t);
            } else {
                assertThat(r.statusCode()).as(t.unique + ": " + r.body()).isEqualTo(410);
            }
        }
        creates.clear();
    }

    private static void verify(DaemonProcess daemon, Path dataDir, Map<String, Tracked> models) throws Exception {
        for (Map.Entry<String, Tracked> e : models.entrySet()) {
            Tracked t = e.getValue();
            HttpResponse<String> r = daemon.get("/model/" + e.getKey());
            if (r.statusCode() == 410) {
                assertThat(t.allowed).as(t.unique + " is gone").contains(GONE);
                t.allowed = Set.of(GONE);
                continue;
            }
            assertThat(r.statusCode()).as(t.unique + ": " + r.body()).isEqualTo(200);
            JsonNode model = json(r);
            String description = model.get("description").asText();
            assertThat(t.allowed).as(t.unique + " after the restart").contains(description);
            assertThat(model.get("name").asText()).as("name and description come from one write")
                    .isEqualTo(description.replace("desc-", "name-"));
            t.allowed = Set.of(description);
            t.version = Integer.parseInt(description.substring("desc-".length()));
        }
        JsonNode all = json(daemon.get("/models"));
        Map<String, JsonNode> byId = new HashMap<>();
        all.get("iterable").forEach(m -> {
            if (!m.has("alias")) {   // the Pieces SDKs' model name, an alias of a downloaded model: no files of its own
                byId.put(m.get("id").asText(), m);
            }
        });
        try (Stream<Path> dirs = Files.list(dataDir.resolve("models"))) {
            for (Path dir : dirs.toList()) {
                JsonNode owner = byId.get(dir.getFileName().toString());
                assertThat(owner).as("the model that owns " + dir).isNotNull();
                assertThat(owner.get("downloaded").asBoolean()).as("a folder only for a downloaded model").isTrue();
            }
        }
        for (JsonNode m : byId.values()) {
            if (m.get("downloaded").asBoolean()) {
                Path dir = dataDir.resolve("models").resolve(m.get("id").asText());
                try (Stream<Path> files = Files.list(dir)) {
                    assertThat(files.toList()).as("the file of downloaded " + m.get("unique")).hasSize(1);
                }
            }
        }
    }

    private static String integrityCheck(Path dataDir) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("modeld.db"));
             var s = c.createStatement(); var rs = s.executeQuery("PRAGMA integrity_check")) {
            return rs.getString(1);
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** One client writing to its own models until the daemon dies under it. */
    private static final class Worker {
        final DaemonProcess daemon;
        final String name;
        final Random random;
        final Path gguf;
        final AtomicInteger acknowledged;
        final AtomicInteger inFlight;
        final Map<String, Tracked> owned = new HashMap<>();
        int created;

        Worker(DaemonProcess daemon, String name, Random random, Path gguf, AtomicInteger acknowledged,
               AtomicInteger inFlight) {
            this.daemon = daemon;
            this.name = name;
            this.random = random;
            this.gguf = gguf;
            this.acknowledged = acknowledged;
            this.inFlight = inFlight;
        }

        int slot(int of) {
            return Integer.parseInt(name.substring(name.indexOf('-') + 1)) % of;
        }

        void run(Map<String, Tracked> models, List<Tracked> unconfirmedCreates) {
            while (true) {
                int dice = random.nextInt(10);
                List<String> ids = new ArrayList<>(owned.keySet());
                try {
                    if (ids.size() < 3 || dice < 3) {
                        create(models, unconfirmedCreates, dice < 1);
                    } else if (dice < 8) {
                        update(ids.get(random.nextInt(ids.size())));
                    } else {
                        delete(ids.get(random.nextInt(ids.size())));
                    }
                } catch (UncheckedIOException killed) {
                    inFlight.incrementAndGet();
                    return;
                }
            }
        }

        private void create(Map<String, Tracked> models, List<Tracked> unconfirmed, boolean withFile) {
            String unique = "w" + name + "-" + created++;
            Tracked t = new Tracked(unique, Set.of(GONE, "desc-0"));
            synchronized (models) {
                unconfirmed.add(t);
            }
            String source = withFile ? ", \"source\": {\"url\": \"" + gguf.toUri() + "\"}" : "";
            HttpResponse<String> r = daemon.post("/models/create", "{\"name\": \"name-0\", \"unique\": \"" + unique
                    + "\", \"description\": \"desc-0\"" + source + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            String id = json(r).get("id").asText();
            t.allowed = Set.of("desc-0");
            synchronized (models) {
                unconfirmed.remove(t);
                models.put(id, t);
            }
            owned.put(id, t);
            acknowledged.incrementAndGet();
            if (withFile) {
                assertThat(daemon.post("/model/" + id + "/download", null).statusCode()).isEqualTo(200);
            }
        }

        private void update(String id) {
            Tracked t = owned.get(id);
            int next = t.version + 1;
            t.allowed = Set.of("desc-" + t.version, "desc-" + next);
            HttpResponse<String> r = daemon.post("/model/update", "{\"id\": \"" + id + "\", \"name\": \"name-" + next
                    + "\", \"description\": \"desc-" + next + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            t.version = next;
            t.allowed = Set.of("desc-" + next);
            acknowledged.incrementAndGet();
        }

        private void delete(String id) {
            Tracked t = owned.get(id);
            t.allowed = Set.of("desc-" + t.version, GONE);
            HttpResponse<String> r = daemon.post("/models/" + id + "/delete", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
            t.allowed = Set.of(GONE);
            owned.remove(id);
            acknowledged.incrementAndGet();
        }
    }
}
