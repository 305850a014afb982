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

/** A store, a model service and a runtime on a temp dir, without the HTTP server: for tests of the runtime itself. */
final class RuntimeFixture implements AutoCloseable {

    final DataDir dataDir;
    final ModelStore store;
    final ModelService models;
    final RunnerRuntime runtime;

    RuntimeFixture(Path root, Clock clock, long budget, Duration keepAlive) throws Exception {
        dataDir = new DataDir(root);
        dataDir.create();
        store = ModelStore.open(root);
        models = new ModelService(store, clock, dataDir);
        models.start(List.of());
        List<String> command = runnerCommand(dataDir);
        runtime = new RunnerRuntime(models, budget, clock, id -> false, () -> command, false, keepAlive);
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

    @Override
    public void close() {
        runtime.close();
        store.close();
    }
}
