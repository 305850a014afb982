package io.modeld.runtime;

import io.modeld.engine.KvCache;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loaded models, each in its own runner, within a memory budget ({@link MemoryBudget}).
 *
 * <p>Loads ({@link Loader}) estimate a model's need from its GGUF metadata and reserve it; a load that does
 * not fit evicts idle models, least recently used first, or fails with INSUFFICIENT_STORAGE (507) naming
 * needed and available memory. Concurrent loads of one model share one load. Every use of a model holds a {@link Lease}, taken under the same lock that eviction and the
 * keep-alive sweep ({@link #expireIdle}) read, as Ollama's scheduler takes a runner's reference count
 * under the lock its eviction reads: a model with a lease is never evicted or expired, and a lease is
 * only ever taken on a model that is still loaded. Runners come from a {@link RunnerFactory} (processes
 * in the daemon, fakes in tests) through a {@link RunnerPool} that may keep a spare one started.
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    public static final int MAX_PARALLEL = 16;

    final ModelService models;
    final MemoryBudget budget;
    final Clock clock;
    private final Predicate<String> downloading;
    final RunnerPool runners;
    final int threads;
    private volatile Duration defaultKeepAlive;
    /** Requests a generator serves at once; 0 for auto ({@link LoadPlan}: 4, fewer when that does not fit). */
    private volatile int parallel;
    private volatile int context;
    private volatile KvCache kvCache = KvCache.DEFAULT;
    private volatile PromptCacheBounds promptCache = PromptCacheBounds.NONE;
    private volatile boolean draft;
    private volatile String draftModel;
    private final GenerationLog generations = new GenerationLog();
    /** Written under the lock; read without it by {@link #loaded(String)}, which every listing asks per model. */
    final Map<String, Resident> loaded = new ConcurrentHashMap<>();
    private final TemplateChecks checks;
    private final Loader loader;
    /** Guards loaded, the loader's loads in flight, the budget's reservations and every Resident.active. */
    final Object lock = new Object();
    /** Runs between a model being loaded and its lease being taken: a seam for tests of that window. */
    volatile Consumer<String> betweenLoadAndLease = id -> { };

    /**
     * @param runners starts runners (called when one is needed)
     * @param keepSpare keep one started runner waiting, so a load skips the runner's start
     * @param defaultKeepAlive idle time after which a model is unloaded; null for never
     */
    public Scheduler(ModelService models, long budget, Clock clock, Predicate<String> downloading,
                     RunnerFactory runners, boolean keepSpare, Duration defaultKeepAlive) {
        this.models = models;
        this.budget = new MemoryBudget(budget);
        this.clock = clock;
        this.downloading = downloading;
        this.runners = new RunnerPool(runners, keepSpare);
        this.checks = new TemplateChecks(this, runners);
        this.loader = new Loader(this, downloading);
        this.threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.defaultKeepAlive = defaultKeepAlive;
    }

    /**
     * Starts the spare runner (when spares are on), in the background: called once the daemon answers,
     * so a JVM starting beside it does not slow the daemon's own start on a machine of two cores.
     */
    public void startSpare() {
        runners.warmUp();
    }

    public boolean loaded(String id) {
        Resident r = loaded.get(id);
        return r != null && r.runner.alive();
    }

    /** Whether the model is loaded with layers on a GPU. */
    public boolean onGpu(String id) {
        Resident r = loaded.get(id);
        return r != null && r.placement.onDevice();
    }

    public long budget() {
        return budget.bytes();
    }

    /** Changes the budget for the loads to come; models loaded now stay (a smaller budget evicts at the next load). */
    public void setBudget(long bytes) {
        budget.set(bytes);
    }

    /** Slots (requests served at once) for the generators loaded from now on; 0: auto. */
    public int parallel() {
        return parallel;
    }

    /** The context of the chat models loaded from now on that name none; 0: auto ({@link LoadPlan}). */
    public int context() {
        return context;
    }

    public void setContext(int tokens) {
        if (tokens < 0 || tokens > io.modeld.config.Setting.MAX_CONTEXT) {
            throw new IllegalArgumentException("context: 0 (auto) or up to " + io.modeld.config.Setting.MAX_CONTEXT);
        }
        context = tokens;
    }

    private volatile io.modeld.config.Config.Gpu gpu = io.modeld.config.Config.Gpu.NONE;
    private volatile int gpuLayers;

    /**
     * The GPU the runners were started with (their backend, the layers, the memory modeld may take there); the
     * runner command must load the same backend ({@link RunnerLauncher#lazyCommand}).
     */
    public void setGpu(io.modeld.config.Config.Gpu g) {
        gpu = java.util.Objects.requireNonNull(g);
        gpuLayers = g.layers();
    }

    public io.modeld.config.Config.Gpu gpu() {
        return gpu;
    }

    /** The layers the models loaded from now on put on the GPU: -1 as many as fit, 0 none. */
    public int gpuLayers() {
        return gpuLayers;
    }

    public void setGpuLayers(int layers) {
        if (layers < -1) {
            throw new IllegalArgumentException("gpuLayers: -1 (as many as fit), 0 or more");
        }
        gpuLayers = layers;
    }

    /**
     * The GPUs the runners found (empty: the CPU alone, or --gpu none), learnt from the first runner that starts;
     * a runner is started to learn them if none has yet.
     */
    public List<io.modeld.engine.Device> devices() {
        if (gpu.mode().equals("none")) {
            return List.of();
        }
        try {
            return runners.devices();
        } catch (RunnerFailure e) {
            return List.of();
        }
    }

    /** Which GPU backend the runners use and on what, or why none does; null before a runner started. */
    public String gpuNote() {
        return runners.gpuNote();
    }

    /** The GPUs known now, without starting a runner to learn them (empty before one started). */
    public List<io.modeld.engine.Device> knownDevices() {
        return gpu.mode().equals("none") ? List.of() : runners.knownDevices();
    }

    /** The bytes in use on {@code device} by the loaded models, and what modeld may take there. */
    public long[] deviceUse(io.modeld.engine.Device d) {
        synchronized (lock) {
            return new long[] {budget.usedOnDevice(d.name(), loaded.values()), DeviceFit.capacity(d, gpu.memory())};
        }
    }

    /** How the chat models loaded from now on keep their KV cache. */
    public KvCache kvCache() {
        return kvCache;
    }

    public void setKvCache(KvCache kv) {
        kvCache = java.util.Objects.requireNonNull(kv);
    }

    /**
     * The prompt caches of the chat models loaded from now on: RAM each may take ({@code -1}: auto, what the budget
     * has free at its load up to an eighth of it and 8 GiB; 0: none) and the disk they keep under {@code root}.
     */
    public void setPromptCache(java.nio.file.Path root, long ram, long disk) {
        promptCache = new PromptCacheBounds(root, ram, disk);
    }

    PromptCacheBounds promptCache() {
        return promptCache;
    }

    /** Whether the chat models loaded from now on draft tokens by n-gram lookup (speculative decoding). */
    public void setDraft(boolean on) {
        draft = on;
    }

    boolean draft() {
        return draft;
    }

    /**
     * The draft model of the chat models loaded from now on whose Modelfile names none (null: none): a smaller
     * model of the same vocabulary (speculative decoding).
     */
    public void setDraftModel(String name) {
        draftModel = name;
    }

    String draftModel() {
        return draftModel;
    }

    /** The prompt caches' bounds; none until the daemon sets them (the scheduler's own tests). */
    record PromptCacheBounds(java.nio.file.Path root, long ram, long disk) {
        static final PromptCacheBounds NONE = new PromptCacheBounds(null, 0, 0);
    }

    public void setParallel(int slots) {
        if (slots < 0 || slots > MAX_PARALLEL) {
            throw new IllegalArgumentException("parallel: 0 (auto) or 1 to " + MAX_PARALLEL);
        }
        parallel = slots;
    }

    /** The daemon's keep-alive (null: never unload); a request's own keep-alive still wins. */
    public Duration keepAlive() {
        return defaultKeepAlive;
    }

    public void setKeepAlive(Duration keepAlive) {
        defaultKeepAlive = keepAlive;
    }

    /** The last generations: model, tokens, time; what the dashboard draws tokens per second from. */
    public List<GenerationLog.Entry> recentGenerations() {
        return generations.recent();
    }

    void generated(String id, RunnerResult g) {
        generations.add(id, g.tokens(), g.generateNanos());
    }

    /** Memory counted against the budget now. */
    public long used() {
        synchronized (lock) {
            return budget.used(loaded.values());
        }
    }

    /**
     * Why llama.cpp cannot run now: the last runner failed to start (a spare's start is the check at boot), or null.
     * For readiness.
     */
    public String engineProblem() {
        return runners.startFailure();
    }

    /** Loads, their times, and evictions, for the metrics; {@link Events#NONE} until one is set. */
    volatile Events events = Events.NONE;

    /** What the scheduler tells the metrics. */
    public interface Events {
        Events NONE = new Events() {
        };

        /** Model {@code id} was loaded in {@code nanos}. */
        default void loaded(String id, long nanos) {
        }

        /** Model {@code id} was evicted to make room for another. */
        default void evicted(String id) {
        }
    }

    public void events(Events e) {
        events = e == null ? Events.NONE : e;
    }

    /** The loaded models. */
    public List<LoadedModel> loadedModels() {
        synchronized (lock) {
            return loaded.values().stream().map(r -> r.view(defaultKeepAlive)).toList();
        }
    }

    /** What a chat template can do ({@link TemplateChecks}: a runner of its own, in the budget, limited). */
    public java.util.Map<String, Object> templateCaps(String template, String bos, String eos) throws RunnerFailure {
        return checks.read(template, bos, eos);
    }

    /** Reserves {@code bytes} under {@code key} when they fit the budget now, evicting nothing; false otherwise. */
    boolean reserveIfFits(String key, long bytes) {
        synchronized (lock) {
            if (!budget.fits(bytes, loaded.values())) {
                return false;
            }
            budget.reserve(key, bytes);
            return true;
        }
    }

    void unreserve(String key) {
        synchronized (lock) {
            budget.unreserve(key);
        }
    }

    /** The budget's words for {@code need} bytes that do not fit now. */
    io.modeld.ModeldException insufficient(String what, long need) {
        synchronized (lock) {
            return budget.insufficient(what, need, budget.used(loaded.values()));
        }
    }

    /** The spare runner's pid and RSS, or null; what keeping one costs. */
    public long[] spareRunner() {
        return runners.spare();
    }

    /**
     * A lease on the model, loading it first when needed (or again, with another context). The lease is
     * taken under the lock eviction reads, and only on a model still loaded: a model evicted between its
     * load and this request's use is loaded again rather than used after its runner is gone.
     */
    public Lease lease(ModelRecord r, LoadOptions options) {
        long start = System.nanoTime();
        while (true) {
            Resident resident = loader.ensureLoaded(r, options);
            betweenLoadAndLease.accept(r.id());
            synchronized (lock) {
                if (loaded.get(r.id()) == resident && resident.runner.alive()) {
                    resident.active++;
                    if (options.keepAlive() != null) {
                        resident.keepAlive = options.keepAlive();
                    }
                    return new Lease(this, resident, System.nanoTime() - start);
                }
            }
            LOG.info("{} was unloaded before its request could use it; loading it again", r.id());
        }
    }

    /** A lease ended: the model is idle from now (and unloaded at once when its keep-alive is zero). */
    void release(Lease lease) {
        Resident r = lease.resident;
        boolean unloadNow;
        synchronized (lock) {
            r.active--;
            r.lastUsed = clock.millis();
            Duration keep = r.keepAliveOr(defaultKeepAlive);
            unloadNow = r.active == 0 && keep != null && keep.isZero();
        }
        if (unloadNow) {
            unload(r.id);
        }
    }

    /**
     * Unloads a model by id, if it is loaded. An idle runner frees the model and waits for the next one;
     * a runner in the middle of a request is ended, since an explicit unload or a delete wins.
     */
    public void unload(String id) {
        Resident r;
        boolean busy;
        synchronized (lock) {
            r = loaded.remove(id);
            busy = r != null && r.active > 0;
        }
        if (r == null) {
            return;
        }
        release(r, busy);
        LOG.info("unloaded {}", id);
        models.announce(id);
    }

    void release(Resident r, boolean busy) {
        if (busy || !r.runner.alive()) {
            r.runner.close();
            return;
        }
        try {
            r.runner.unload();
            runners.giveBack(r.runner);
        } catch (RunnerFailure e) {
            LOG.warn("the runner of {} could not unload its model ({}); ending it", r.id, e.getMessage());
            r.runner.close();
        }
    }

    public void unloadAll() {
        List<String> ids;
        synchronized (lock) {
            ids = List.copyOf(loaded.keySet());
        }
        ids.forEach(this::unload);
    }

    /** Unloads the models idle for at least their keep-alive (the daemon's, or the one a request set). */
    public void expireIdle() {
        long now = clock.millis();
        List<String> expired;
        synchronized (lock) {
            expired = loaded.values().stream().filter(r -> {
                long at = r.expiresAt(defaultKeepAlive);
                return r.active == 0 && at >= 0 && now >= at;
            }).map(r -> r.id).toList();
        }
        for (String id : expired) {
            LOG.info("unloading {}: idle longer than its keep-alive", id);
            unload(id);
        }
    }

    /**
     * Ends every runner (the daemon is going): no polite unload, which a runner stuck in a step would hold up,
     * but each told to exit and killed 2 s later, all at once.
     */
    @Override
    public void close() {
        List<Resident> all;
        synchronized (lock) {
            all = List.copyOf(loaded.values());
            loaded.clear();
        }
        List<Thread> ending = all.stream().map(r -> new Thread(r.runner::close, "modeld-end-" + r.runner.pid())).toList();
        ending.forEach(Thread::start);
        for (Thread t : ending) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        runners.close();
    }
}
