package io.modeld.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelStore;
import io.modeld.catalog.Modelfile;
import io.modeld.config.DataDir;
import io.modeld.gguf.TinyLlama;
import io.modeld.inference.Inference;
import io.modeld.runtime.Lease;
import io.modeld.runtime.LoadOptions;
import io.modeld.runtime.RunnerFactory;
import io.modeld.runtime.RunnerLauncher;
import io.modeld.runtime.RunnerRequest;
import io.modeld.runtime.RunnerResult;
import io.modeld.runtime.Scheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The core without the HTTP server: a store, a model service, a scheduler and the inference core on a temp
 * dir, on fake runners ({@link FakeRunners}: tests of the scheduler, the inference core and Copilot that run
 * in milliseconds) or, where llama.cpp is the point, real ones.
 */
public final class CoreFixture implements AutoCloseable {

    public final DataDir dataDir;
    public final ModelStore store;
    public final ModelService models;
    public final Scheduler scheduler;
    private Inference inference;
    /** The fake runners, or null when the runners are real processes. */
    public final FakeRunners fakes;

    /** The core on fake runners. */
    public CoreFixture(Path root, Clock clock, long budget, Duration keepAlive) throws Exception {
        this(root, clock, budget, keepAlive, new FakeRunners());
    }

    private CoreFixture(Path root, Clock clock, long budget, Duration keepAlive, FakeRunners fakes) throws Exception {
        dataDir = new DataDir(root);
        dataDir.create();
        store = ModelStore.open(root);
        models = new ModelService(store, clock, dataDir);
        models.start(List.of());
        this.fakes = fakes;
        RunnerFactory runners = fakes != null ? fakes : RunnerFactory.processes(() -> runnerCommand(dataDir),
                () -> io.modeld.config.Config.DEFAULT_STEP_TIMEOUT);
        scheduler = new Scheduler(models, budget, clock, id -> false, runners, false, keepAlive);
    }

    /** The inference core on this scheduler, made when first asked for (it checks the templates of models to come). */
    public synchronized Inference inference() {
        if (inference == null) {
            inference = new Inference(models, scheduler, store);
        }
        return inference;
    }

    /** The core whose runners are real processes with llama.cpp. */
    public static CoreFixture withProcesses(Path root, long budget) throws Exception {
        return new CoreFixture(root, Clock.systemUTC(), budget, null, null);
    }

    /** The command a daemon on {@code dataDir} starts runners with. */
    public static List<String> runnerCommand(DataDir dataDir) {
        return RunnerLauncher.command(RunnerLauncher.llamaDir(null, dataDir.lib()), dataDir.lib());
    }

    /** A tiny model whose verified file is in place, as a finished download leaves it; returns its id. */
    public String model(String unique, long seed) throws Exception {
        return model(Json.MAPPER.createObjectNode().put("name", unique).put("unique", unique), seed);
    }

    /** The same with more of the model's fields ({@code usage}, say) in {@code body}. */
    public String model(ObjectNode body, long seed) throws Exception {
        return model(body, seed, null);
    }

    /** The same with a Modelfile (its system prompt and parameters), as Ollama's create leaves one. */
    public String model(ObjectNode body, long seed, Modelfile modelfile) throws Exception {
        String unique = body.get("unique").asText();
        String id = models.create(body).id();
        Files.createDirectories(dataDir.model(id));
        Path file = dataDir.model(id).resolve(unique + ".gguf");
        TinyLlama.TINY.write(file, seed);
        models.markDownloaded(id, new ModelRecord.LocalFile(file.getFileName().toString(), Files.size(file), null),
                modelfile);
        return id;
    }

    /** Loads the model, as a load request does. */
    public void load(String id) {
        try (Lease ignored = scheduler.lease(models.get(id), LoadOptions.DEFAULT)) {
            // loaded
        }
    }

    /** Generates on the model with a lease of its own, as a request does. */
    public RunnerResult generate(String id, LoadOptions options, RunnerRequest request) {
        try (Lease lease = scheduler.lease(models.get(id), options)) {
            return lease.generate(request, t -> { });
        }
    }

    @Override
    public void close() {
        if (inference != null) {
            inference.close();
        }
        scheduler.close();
        store.close();
    }
}
