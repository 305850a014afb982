package io.modeld.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelStore;
import io.modeld.config.DataDir;
import io.modeld.gguf.TinyLlama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A store, a model service and a scheduler on a temp dir, without the HTTP server: for tests of the
 * scheduler itself, on fake runners ({@link FakeRunners}) or, where llama.cpp is the point, real ones.
 */
final class RuntimeFixture implements AutoCloseable {

    final DataDir dataDir;
    final ModelStore store;
    final ModelService models;
    final Scheduler runtime;
    /** The fake runners, or null when the runners are real processes. */
    final FakeRunners fakes;

    /** A scheduler on fake runners. */
    RuntimeFixture(Path root, Clock clock, long budget, Duration keepAlive) throws Exception {
        this(root, clock, budget, keepAlive, new FakeRunners());
    }

    private RuntimeFixture(Path root, Clock clock, long budget, Duration keepAlive, FakeRunners fakes) throws Exception {
        dataDir = new DataDir(root);
        dataDir.create();
        store = ModelStore.open(root);
        models = new ModelService(store, clock, dataDir);
        models.start(List.of());
        this.fakes = fakes;
        RunnerFactory runners = fakes != null ? fakes : RunnerFactory.processes(() -> runnerCommand(dataDir),
                () -> io.modeld.config.Config.DEFAULT_STEP_TIMEOUT);
        runtime = new Scheduler(models, budget, clock, id -> false, runners, false, keepAlive);
    }

    /** A scheduler whose runners are real processes with llama.cpp. */
    static RuntimeFixture withProcesses(Path root, long budget) throws Exception {
        return new RuntimeFixture(root, Clock.systemUTC(), budget, null, null);
    }

    /** The command a daemon on {@code dataDir} starts runners with. */
    static List<String> runnerCommand(DataDir dataDir) {
        return RunnerLauncher.command(RunnerLauncher.llamaDir(null, dataDir.lib()), dataDir.lib());
    }

    /** A tiny model whose verified file is in place, as a finished download leaves it; returns its id. */
    String model(String unique, long seed) throws Exception {
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", unique).put("unique", unique);
        String id = models.create(body).id();
        Files.createDirectories(dataDir.model(id));
        Path file = dataDir.model(id).resolve(unique + ".gguf");
        TinyLlama.TINY.write(file, seed);
        models.markDownloaded(id, new ModelRecord.LocalFile(file.getFileName().toString(), Files.size(file), null));
        return id;
    }

    /** Loads the model, as a load request does. */
    void load(String id) {
        try (Lease ignored = runtime.lease(models.get(id), LoadOptions.DEFAULT)) {
            // loaded
        }
    }

    /** Generates on the model with a lease of its own, as a request does. */
    RunnerResult generate(String id, LoadOptions options, RunnerRequest request) {
        try (Lease lease = runtime.lease(models.get(id), options)) {
            return lease.generate(request, t -> { });
        }
    }

    @Override
    public void close() {
        runtime.close();
        store.close();
    }
}
