package io.modeld.runtime;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.config.DataDir;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loaded models, each in its own runner process, within a memory budget.
 *
 * <p>Before a load, the model's need is estimated from its GGUF metadata ({@link MemoryEstimate}). The
 * memory in use is, for every loaded model, the larger of its estimate and what its runner really uses
 * (its RSS), plus the estimates of loads in flight. A load that does not fit evicts the least recently
 * used idle models until it does; a model in the middle of a request is never evicted. When it still
 * cannot fit, the load fails with INSUFFICIENT_STORAGE (507) naming needed and available memory.
 * Concurrent loads of one model share one load. One generation runs at a time per model; a few more
 * wait their turn, and beyond that requests are refused as BUSY (503).
 */
public final class RunnerRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerRuntime.class);
    static final int MAX_WAITING = 8;

    /** A loaded model: its runner, its estimate, when it was last used, and its generation queue. */
    private final class Loaded {
        final String id;
        final Runner runner;
        final MemoryEstimate estimate;
        final Semaphore turn = new Semaphore(1, true);
        final AtomicInteger active = new AtomicInteger();
        volatile long lastUsed = clock.millis();

        Loaded(String id, Runner runner, MemoryEstimate estimate) {
            this.id = id;
            this.runner = runner;
            this.estimate = estimate;
        }

        long using() {
            return Math.max(estimate.total(), runner.residentBytes());
        }
    }

    private final ModelService models;
    private final DataDir dataDir;
    private final long budget;
    private final Clock clock;
    private final Predicate<String> downloading;
    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Loaded>> loading = new ConcurrentHashMap<>();
    private final Map<String, Long> reserved = new ConcurrentHashMap<>();
    private final Object budgetLock = new Object();
    private volatile List<String> runnerCommand;

    public RunnerRuntime(ModelService models, DataDir dataDir, long budget, Clock clock, Predicate<String> downloading) {
        this.models = models;
        this.dataDir = dataDir;
        this.budget = budget;
        this.clock = clock;
        this.downloading = downloading;
    }

    /** Built at the first load, so a daemon that never loads never unpacks llama.cpp's library. */
    private List<String> runnerCommand() {
        List<String> cmd = runnerCommand;
        if (cmd == null) {
            cmd = RunnerLauncher.of(dataDir.lib());
            runnerCommand = cmd;
        }
        return cmd;
    }

    public boolean loaded(String id) {
        Loaded l = loaded.get(id);
        return l != null && l.runner.alive();
    }

    public long budget() {
        return budget;
    }

    /** Memory counted against the budget now. */
    public long used() {
        long sum = reserved.values().stream().mapToLong(Long::longValue).sum();
        for (Loaded l : loaded.values()) {
            sum += l.using();
        }
        return sum;
    }

    /** One loaded model as {@code GET /memory} shows it. */
    public record LoadedModel(String id, long estimate, long resident, long pid) {
    }

    /** The loaded models, each with its estimate, its runner's RSS and pid. */
    public List<LoadedModel> loadedModels() {
        return loaded.values().stream().map(l -> new LoadedModel(l.id, l.estimate.total(), l.runner.residentBytes(),
                l.runner.pid())).toList();
    }

    /** Loads the model (or joins its load); returns once it is in memory and answers. */
    public ModelRecord load(String model) {
        ModelRecord r = models.get(model);
        ensureLoaded(r).lastUsed = clock.millis();
        return models.get(r.id());
    }

    /** Unloads the model, ending its runner so that its memory goes back to the system. */
    public ModelRecord unload(String model) {
        ModelRecord r = models.get(model);
        unloadId(r.id());
        return models.get(r.id());
    }

    /** Unloads a model by id, if it is loaded; for deletes, which must unload first. */
    public void unloadId(String id) {
        Loaded l = loaded.remove(id);
        if (l != null) {
            l.runner.close();
            LOG.info("unloaded {}", id);
            models.announce(id);
        }
    }

    public void unloadAll() {
        loaded.keySet().forEach(this::unloadId);
    }

    /**
     * Generates from the model, loading it first when needed, and calls {@code onToken} with each piece.
     * Returns the number of tokens generated.
     */
    public int generate(String model, RunnerMessages.Request request, Consumer<String> onToken) {
        ModelRecord r = models.get(model);
        Loaded l = ensureLoaded(r);
        if (l.turn.getQueueLength() >= MAX_WAITING) {
            throw new ModeldException(ModeldException.Kind.BUSY, "model '" + r.spec().name() + "' is busy with "
                    + MAX_WAITING + " requests waiting; try again shortly");
        }
        l.active.incrementAndGet();
        try {
            l.turn.acquire();
            try {
                return l.runner.generate(request, onToken);
            } finally {
                l.turn.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (RunnerFailure e) {
            throw new ModeldException(ModeldException.Kind.UNPROCESSABLE, e.getMessage());
        } finally {
            l.lastUsed = clock.millis();
            l.active.decrementAndGet();
        }
    }

    /** Unloads the models idle for at least {@code keepAlive}; called on a schedule. */
    public void expireIdle(Duration keepAlive) {
        long now = clock.millis();
        for (Loaded l : loaded.values()) {
            if (l.active.get() == 0 && now - l.lastUsed >= keepAlive.toMillis()) {
                LOG.info("unloading {}: idle for {}", l.id, Duration.ofMillis(now - l.lastUsed));
                unloadId(l.id);
            }
        }
    }

    private Loaded ensureLoaded(ModelRecord r) {
        String id = r.id();
        if (downloading.test(id)) {
            throw ModeldException.conflict("model '" + r.spec().name() + "' is still downloading; load it once "
                    + "its download completes");
        }
        if (!r.downloaded()) {
            throw ModeldException.conflict("model '" + r.spec().name() + "' is not downloaded; download it first "
                    + "with POST /model/" + id + "/download");
        }
        Loaded l = loaded.get(id);
        if (l != null && l.runner.alive()) {
            return l;
        }
        CompletableFuture<Loaded> mine = new CompletableFuture<>();
        CompletableFuture<Loaded> running = loading.putIfAbsent(id, mine);
        if (running == null) {
            try {
                mine.complete(start(r));
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
            } finally {
                loading.remove(id, mine);
            }
            running = mine;
        }
        try {
            return running.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    private Loaded start(ModelRecord r) {
        Path file = dataDir.model(r.id()).resolve(r.file().name());
        GgufFile gguf;
        try {
            gguf = GgufReader.read(file);
        } catch (GgufFormatException | IOException e) {
            throw new ModeldException(ModeldException.Kind.UNPROCESSABLE, "cannot load '" + r.spec().name()
                    + "': its file is not a usable GGUF model (" + e.getMessage() + ")");
        }
        Integer context = r.spec().context();
        MemoryEstimate estimate = MemoryEstimate.of(gguf, r.file().size(), context == null ? 0 : context);
        reserve(r, estimate.total());
        try {
            Runner runner = Runner.start(runnerCommand(), file, estimate.context(),
                    Math.max(1, Runtime.getRuntime().availableProcessors()));
            Loaded l = new Loaded(r.id(), runner, estimate);
            loaded.put(r.id(), l);
            runner.onExit(() -> {
                if (loaded.remove(r.id(), l)) {
                    LOG.warn("the runner of {} exited; the model is no longer loaded", r.id());
                    models.announce(r.id());
                }
            });
            LOG.info("loaded {} (pid {}, estimate {} MB)", r.id(), runner.pid(), estimate.total() >> 20);
            models.announce(r.id());
            return l;
        } catch (RunnerFailure e) {
            throw new ModeldException(ModeldException.Kind.UNPROCESSABLE, e.getMessage());
        } finally {
            reserved.remove(r.id());
        }
    }

    /** Makes room for {@code need} bytes by evicting idle models, least recently used first, or fails. */
    private void reserve(ModelRecord r, long need) {
        synchronized (budgetLock) {
            if (need > budget) {
                throw insufficient(r, need);
            }
            while (budget - used() < need) {
                Optional<Loaded> victim = loaded.values().stream().filter(l -> l.active.get() == 0)
                        .min(Comparator.comparingLong(l -> l.lastUsed));
                if (victim.isEmpty()) {
                    throw insufficient(r, need);
                }
                LOG.info("evicting {} to make room for {}", victim.get().id, r.id());
                unloadId(victim.get().id);
            }
            reserved.put(r.id(), need);
        }
    }

    private ModeldException insufficient(ModelRecord r, long need) {
        return new ModeldException(ModeldException.Kind.INSUFFICIENT_STORAGE, "not enough memory to load '"
                + r.spec().name() + "': needs " + need + " bytes, " + Math.max(0, budget - used())
                + " available of the " + budget + "-byte budget (--memory-budget)");
    }

    @Override
    public void close() {
        unloadAll();
    }
}
