package io.modeld.runtime;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufHeaders;
import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.ModelRole;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loaded models, each in its own runner, within a memory budget ({@link MemoryBudget}).
 *
 * <p>Before a load, the model's need is estimated from its GGUF metadata ({@link MemoryEstimate}) and
 * reserved; a load that does not fit evicts idle models, least recently used first, or fails with
 * INSUFFICIENT_STORAGE (507) naming needed and available memory. Concurrent loads of one model share
 * one load. Every use of a model holds a {@link Lease}, taken under the same lock that eviction and the
 * keep-alive sweep ({@link #expireIdle}) read, as Ollama's scheduler takes a runner's reference count
 * under the lock its eviction reads: a model with a lease is never evicted or expired, and a lease is
 * only ever taken on a model that is still loaded. Runners come from a {@link RunnerFactory} (processes
 * in the daemon, fakes in tests) through a {@link RunnerPool} that may keep a spare one started.
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** Slots of a generator when the setting is auto: llama-server's default, and Ollama's busy-machine one. */
    static final int AUTO_PARALLEL = 4;
    public static final int MAX_PARALLEL = 16;

    private final ModelService models;
    private final MemoryBudget budget;
    private final Clock clock;
    private final Predicate<String> downloading;
    private final RunnerPool runners;
    private final int threads;
    private volatile Duration defaultKeepAlive;
    /** Requests a generator serves at once; 0 for auto ({@value #AUTO_PARALLEL}, fewer when that does not fit). */
    private volatile int parallel;
    private final GenerationLog generations = new GenerationLog();
    private final Map<String, Resident> loaded = new HashMap<>();
    private final Map<String, CompletableFuture<Resident>> loading = new HashMap<>();
    /**
     * What a runner may take beyond its model's estimate: llama.cpp's own buffers the estimate does not see,
     * and a template's values; a template that grows for ever stops there instead of at the machine's end.
     */
    static final long LOAD_HEADROOM = 1L << 30;
    /** Memory a template check may use, counted in the budget while it runs. */
    static final long CHECK_BYTES = 256L << 20;
    private static final String CHECK_KEY = "template-check";
    /** Template checks run one at a time. */
    private final Object checking = new Object();
    private final RunnerFactory factory;
    /** Guards loaded, loading, the budget's reservations and every Resident.active. */
    private final Object lock = new Object();
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
        this.factory = runners;
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
        synchronized (lock) {
            Resident r = loaded.get(id);
            return r != null && r.runner.alive();
        }
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

    /** The loaded models. */
    public List<LoadedModel> loadedModels() {
        synchronized (lock) {
            return loaded.values().stream().map(r -> r.view(defaultKeepAlive)).toList();
        }
    }

    /**
     * What a chat template can do, as llama.cpp's chat layer reads it: in a runner of its own, one template at
     * a time, its memory counted in the budget ({@link #CHECK_BYTES}; INSUFFICIENT_STORAGE when that does not
     * fit: a check evicts no model) and limited to that ({@code setrlimit}), its time to a step's deadline; the
     * runner is ended after.
     * A template that breaks a limit is a DEADLINE failure naming it: such a template looped or grew for ever
     * in the spare runner before (400 MB/s, outside the budget, issue 29).
     */
    public java.util.Map<String, Object> templateCaps(String template, String bos, String eos) throws RunnerFailure {
        synchronized (checking) {
            synchronized (lock) {
                // a check never evicts a model: with no room it waits for a later time
                if (!budget.fits(CHECK_BYTES, loaded.values())) {
                    throw budget.insufficient("a chat template's check", CHECK_BYTES, budget.used(loaded.values()));
                }
                budget.reserve(CHECK_KEY, CHECK_BYTES);
            }
            ModelRunner runner = null;
            try {
                runner = factory.startChecker();
                return runner.caps(template, bos, eos, CHECK_BYTES);
            } catch (RunnerFailure e) {
                if (e.kind() == RunnerFailure.Kind.DIED || e.getMessage().contains("bad_alloc")) {
                    throw new RunnerFailure(RunnerFailure.Kind.DEADLINE, "reading it needed more than the "
                            + (CHECK_BYTES >> 20) + " MB of memory a check may take (" + e.getMessage() + ")");
                }
                if (e.kind() == RunnerFailure.Kind.DEADLINE) {
                    // the runner's words, without what they say of a model it does not hold
                    throw new RunnerFailure(e.kind(), e.getMessage().split(";")[0].replaceFirst("^the model ", ""));
                }
                throw e;
            } finally {
                if (runner != null) {
                    runner.close();
                }
                synchronized (lock) {
                    budget.unreserve(CHECK_KEY);
                }
            }
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
            Resident resident = ensureLoaded(r, options);
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

    private void release(Resident r, boolean busy) {
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

    private Resident ensureLoaded(ModelRecord r, LoadOptions options) {
        String id = r.id();
        if (downloading.test(id)) {
            throw ModeldException.conflict("model '" + r.spec().name() + "' is still downloading; load it once "
                    + "its download completes");
        }
        if (!r.downloaded()) {
            throw new ModeldException(ModeldException.Kind.CONFLICT, "model '" + r.spec().name()
                    + "' is not downloaded", ModeldException.Hint.DOWNLOAD_FIRST, id);
        }
        CompletableFuture<Resident> mine = null;
        CompletableFuture<Resident> running;
        Resident stale = null;
        synchronized (lock) {
            Resident l = loaded.get(id);
            // A model in use keeps its context until its requests are done: another context waits for that.
            if (l != null && l.runner.alive() && (options.context() <= 0 || options.context() == l.context
                    || l.active > 0)) {
                return l;
            }
            running = loading.get(id);
            if (running == null) {
                if (l != null && l.active == 0) {
                    stale = loaded.remove(id);   // dead, or loaded with another context: load it anew
                }
                mine = new CompletableFuture<>();
                loading.put(id, mine);
                running = mine;
            }
        }
        if (stale != null) {
            release(stale, false);
        }
        if (mine != null) {
            try {
                mine.complete(start(r, options));
            } catch (Throwable e) {
                // any failure, an Error too, must end the load for every request that joined it
                mine.completeExceptionally(e);
                throw e;
            } finally {
                synchronized (lock) {
                    loading.remove(id, mine);
                }
            }
        }
        try {
            return running.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    private Resident start(ModelRecord r, LoadOptions options) {
        GgufFile gguf;
        try {
            gguf = GgufHeaders.shared().read(models.fileOf(r));
        } catch (GgufFormatException | IOException e) {
            throw new ModeldException(ModeldException.Kind.UNPROCESSABLE, "cannot load '" + r.spec().name()
                    + "': its file is not a usable GGUF model (" + e.getMessage() + ")");
        }
        int context = options.context() > 0 ? options.context() : r.spec().context() == null ? 0 : r.spec().context();
        ModelRole role = ModelRole.of(gguf);
        int slots = role == ModelRole.GENERATOR ? slots(r, gguf, context) : 1;
        MemoryEstimate estimate = MemoryEstimate.of(gguf, r.file().size(), context, slots);
        reserve(r, estimate.total());
        ModelRunner runner = null;
        try {
            runner = runners.take();
            ModelRunner.Loaded info = runner.load(new ModelRunner.Load(models.filesOf(r), estimate.context(), threads,
                    role, false, slots, estimate.total() + LOAD_HEADROOM));
            Resident resident = new Resident(r.id(), runner, estimate, role, info.context(), slots, options.keepAlive(),
                    clock.millis());
            synchronized (lock) {
                loaded.put(r.id(), resident);
            }
            ModelRunner mine = runner;
            runner.onExit(() -> {
                boolean removed;
                synchronized (lock) {
                    removed = loaded.remove(r.id(), resident);
                }
                if (removed) {
                    LOG.warn("the runner of {} (pid {}) exited; the model is no longer loaded", r.id(), mine.pid());
                    models.announce(r.id());
                }
            });
            LOG.info("loaded {} as {} (pid {}, {} slot(s) of {} tokens, estimate {} MB)", r.id(), role.wire(),
                    runner.pid(), slots, info.context(), estimate.total() >> 20);
            models.announce(r.id());
            return resident;
        } catch (RunnerFailure e) {
            if (runner != null) {
                if (e.kind() == RunnerFailure.Kind.DIED) {
                    runner.close();
                } else {
                    runners.giveBack(runner);
                }
            }
            throw e.toApi();
        } finally {
            synchronized (lock) {
                budget.unreserve(r.id());
            }
        }
    }

    /**
     * How many requests a generator serves at once: the setting; on auto, {@value #AUTO_PARALLEL} or, when the
     * KV cache of that many does not fit the budget, the most that do (at least 1). A set number whose KV
     * cache does not fit is refused, saying what it needs.
     */
    private int slots(ModelRecord r, GgufFile gguf, int context) {
        int wanted = parallel;
        if (wanted > 0) {
            MemoryEstimate e = MemoryEstimate.of(gguf, r.file().size(), context, wanted);
            if (wanted > 1 && e.total() > budget.bytes()) {
                throw new ModeldException(ModeldException.Kind.INSUFFICIENT_STORAGE, "not enough memory to load '"
                        + r.spec().name() + "' with " + wanted + " slots of " + e.context() + " tokens: it needs "
                        + (e.total() >> 20) + " MB (" + (e.kvCache() >> 20) + " MB of them the slots' KV cache), the "
                        + "budget is " + (budget.bytes() >> 20) + " MB (--memory-budget); lower parallel (--parallel, "
                        + "or the setting) or the context");
            }
            return wanted;
        }
        for (int n = AUTO_PARALLEL; n > 1; n /= 2) {
            if (MemoryEstimate.of(gguf, r.file().size(), context, n).total() <= budget.bytes()) {
                return n;
            }
        }
        return 1;
    }

    /** Makes room for {@code need} bytes by evicting idle models, least recently used first, or fails. */
    private void reserve(ModelRecord r, long need) {
        if (need > budget.bytes()) {
            throw budget.insufficient(r.spec().name(), need, used());
        }
        while (true) {
            Resident victim;
            synchronized (lock) {
                if (budget.fits(need, loaded.values())) {
                    budget.reserve(r.id(), need);
                    return;
                }
                victim = MemoryBudget.victim(loaded.values());
                if (victim == null) {
                    throw budget.insufficient(r.spec().name(), need, budget.used(loaded.values()));
                }
                loaded.remove(victim.id);
            }
            LOG.info("evicting {} to make room for {}", victim.id, r.id());
            release(victim, false);
            models.announce(victim.id);
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
