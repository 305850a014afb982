package io.modeld.runtime;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufReader;
import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.ModelRole;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
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
 * used idle models until it does; when it still cannot fit, it fails with INSUFFICIENT_STORAGE (507)
 * naming needed and available memory. Concurrent loads of one model share one load.
 *
 * <p>Every use of a model holds a {@link Lease}, taken under the same lock that eviction and the
 * keep-alive sweep read (as Ollama's scheduler takes a runner's reference count under the lock its
 * eviction reads): a model with a lease is never evicted or expired, and a lease is only ever taken on
 * a model that is still loaded. One generation runs at a time per model; a few more wait their turn,
 * and beyond that requests are refused as BUSY (503).
 */
public final class RunnerRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerRuntime.class);
    static final int MAX_WAITING = 8;

    /** How a request wants the model loaded: a context size (0: the model's default) and a keep-alive. */
    public record LoadOptions(int context, Duration keepAlive) {
        public static final LoadOptions DEFAULT = new LoadOptions(0, null);
    }

    /** A loaded model: its runner, estimate and role, its leases, when it was last used and its queue. */
    private final class Loaded {
        final String id;
        final Runner runner;
        final MemoryEstimate estimate;
        final ModelRole role;
        final int context;
        final Semaphore turn = new Semaphore(1, true);
        /** Leases held; guarded by {@link #lock}. */
        int active;
        volatile long lastUsed = clock.millis();
        /** This model's keep-alive; null for the daemon's default, negative for ever. */
        volatile Duration keepAlive;

        Loaded(String id, Runner runner, MemoryEstimate estimate, ModelRole role, int context, Duration keepAlive) {
            this.id = id;
            this.runner = runner;
            this.estimate = estimate;
            this.role = role;
            this.context = context;
            this.keepAlive = keepAlive;
        }

        long using() {
            return Math.max(estimate.total(), runner.residentBytes());
        }

        Duration keepAliveOr(Duration fallback) {
            return keepAlive != null ? keepAlive : fallback;
        }
    }

    /** The right to use a loaded model until closed; the model is not evicted meanwhile. */
    public final class Lease implements AutoCloseable {
        private final Loaded loaded;
        private final long loadNanos;
        private boolean closed;

        private Lease(Loaded loaded, long loadNanos) {
            this.loaded = loaded;
            this.loadNanos = loadNanos;
        }

        /** How long the request waited for the model to load (0 when it was loaded already). */
        public long loadNanos() {
            return loadNanos;
        }

        public ModelRole role() {
            return loaded.role;
        }

        /** The context the model was loaded with, in tokens. */
        public int context() {
            return loaded.context;
        }

        @Override
        public void close() {
            boolean unloadNow;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                loaded.active--;
                loaded.lastUsed = clock.millis();
                Duration keep = loaded.keepAliveOr(defaultKeepAlive);
                unloadNow = loaded.active == 0 && keep != null && keep.isZero();
            }
            if (unloadNow) {
                unloadId(loaded.id);
            }
        }
    }

    private final ModelService models;
    private volatile long budget;
    private final Clock clock;
    private final Predicate<String> downloading;
    private final RunnerPool runners;
    private final int threads;
    private volatile Duration defaultKeepAlive;
    private final GenerationLog generations = new GenerationLog();
    private final Map<String, Loaded> loaded = new HashMap<>();
    private final Map<String, CompletableFuture<Loaded>> loading = new HashMap<>();
    private final Map<String, Long> reserved = new HashMap<>();
    /** Guards loaded, loading, reserved and every Loaded.active. */
    private final Object lock = new Object();
    /** Runs between a model being loaded and its lease being taken: a seam for tests of that window. */
    volatile Consumer<String> betweenLoadAndLease = id -> { };

    /**
     * @param runnerCommand the command that starts a runner (called when one is needed)
     * @param keepSpare keep one started runner waiting, so a load skips the process start
     * @param defaultKeepAlive idle time after which a model is unloaded; null for never
     */
    public RunnerRuntime(ModelService models, long budget, Clock clock, Predicate<String> downloading,
                         java.util.function.Supplier<List<String>> runnerCommand, boolean keepSpare,
                         Duration defaultKeepAlive) {
        this.models = models;
        this.budget = budget;
        this.clock = clock;
        this.downloading = downloading;
        this.runners = new RunnerPool(runnerCommand, keepSpare);
        this.threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.defaultKeepAlive = defaultKeepAlive;
        runners.warmUp();
    }

    public boolean loaded(String id) {
        synchronized (lock) {
            Loaded l = loaded.get(id);
            return l != null && l.runner.alive();
        }
    }

    public long budget() {
        return budget;
    }

    /** Changes the budget for the loads to come; models loaded now stay (a smaller budget evicts at the next load). */
    public void setBudget(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("the memory budget must be more than 0");
        }
        budget = bytes;
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

    /** Memory counted against the budget now. */
    public long used() {
        synchronized (lock) {
            return usedLocked();
        }
    }

    private long usedLocked() {
        long sum = reserved.values().stream().mapToLong(Long::longValue).sum();
        for (Loaded l : loaded.values()) {
            sum += l.using();
        }
        return sum;
    }

    /**
     * One loaded model as {@code GET /memory} and {@code /api/ps} show it; {@code expiresAt} is when its
     * keep-alive unloads it if it stays idle (epoch ms; -1: never); {@code waiting}, the requests queued
     * behind the one it is serving.
     */
    public record LoadedModel(String id, long estimate, long resident, long pid, ModelRole role, int context,
                              long expiresAt, int waiting, boolean busy) {
    }

    /** The loaded models. */
    public List<LoadedModel> loadedModels() {
        synchronized (lock) {
            return loaded.values().stream().map(l -> {
                Duration keep = l.keepAliveOr(defaultKeepAlive);
                long expires = keep == null || keep.isNegative() ? -1 : l.lastUsed + keep.toMillis();
                return new LoadedModel(l.id, l.estimate.total(), l.runner.residentBytes(), l.runner.pid(), l.role,
                        l.context, expires, l.turn.getQueueLength(), l.turn.availablePermits() == 0);
            }).toList();
        }
    }

    /** The spare runner's pid and RSS, or null; what keeping one costs. */
    public long[] spareRunner() {
        return runners.spare();
    }

    /** Loads the model (or joins its load); returns once it is in memory and answers. */
    public ModelRecord load(String model) {
        return load(model, LoadOptions.DEFAULT);
    }

    /** The same, with a context and keep-alive. */
    public ModelRecord load(String model, LoadOptions options) {
        ModelRecord r = models.get(model);
        try (Lease ignored = lease(r, options)) {
            return models.get(r.id());
        }
    }

    /**
     * A lease on the model, loading it first when needed (or again, with another context). The lease
     * is taken under the lock eviction reads, and only on a model still loaded: a model evicted between
     * its load and this request's use is loaded again rather than used after its runner is gone.
     */
    public Lease lease(ModelRecord r, LoadOptions options) {
        long start = System.nanoTime();
        while (true) {
            Loaded l = ensureLoaded(r, options);
            betweenLoadAndLease.accept(r.id());
            synchronized (lock) {
                if (loaded.get(r.id()) == l && l.runner.alive()) {
                    l.active++;
                    if (options.keepAlive() != null) {
                        l.keepAlive = options.keepAlive();
                    }
                    long waited = System.nanoTime() - start;
                    return new Lease(l, waited);
                }
            }
            LOG.info("{} was unloaded before its request could use it; loading it again", r.id());
        }
    }

    /** Unloads the model, so that its memory goes back to the system. */
    public ModelRecord unload(String model) {
        ModelRecord r = models.get(model);
        unloadId(r.id());
        return models.get(r.id());
    }

    /**
     * Unloads a model by id, if it is loaded. An idle runner frees the model and waits for the next one;
     * a runner in the middle of a request is ended, since an explicit unload or a delete wins.
     */
    public void unloadId(String id) {
        Loaded l;
        boolean busy;
        synchronized (lock) {
            l = loaded.remove(id);
            busy = l != null && l.active > 0;
        }
        if (l == null) {
            return;
        }
        release(l, busy);
        LOG.info("unloaded {}", id);
        models.announce(id);
    }

    private void release(Loaded l, boolean busy) {
        if (busy || !l.runner.alive()) {
            l.runner.close();
            return;
        }
        try {
            l.runner.unload();
            runners.giveBack(l.runner);
        } catch (RunnerFailure e) {
            LOG.warn("the runner of {} could not unload its model ({}); ending it", l.id, e.getMessage());
            l.runner.close();
        }
    }

    public void unloadAll() {
        List<String> ids;
        synchronized (lock) {
            ids = List.copyOf(loaded.keySet());
        }
        ids.forEach(this::unloadId);
    }

    /**
     * Generates from the model, loading it first when needed, and calls {@code onToken} with each piece
     * of text. The result counts tokens as the tokenizer does.
     */
    public GenerateResult generate(String model, LoadOptions options, GenerateRequest request, Consumer<String> onToken) {
        ModelRecord r = models.get(model);
        refuseEarly(r, ModelRole.GENERATOR);
        try (Lease lease = lease(r, options)) {
            require(lease, ModelRole.GENERATOR, r);
            Loaded l = lease.loaded;
            if (l.turn.getQueueLength() >= MAX_WAITING) {
                throw new ModeldException(ModeldException.Kind.BUSY, "model '" + r.spec().name() + "' is busy with "
                        + MAX_WAITING + " requests waiting; try again shortly");
            }
            l.turn.acquireUninterruptibly();
            try {
                GenerateResult g = l.runner.generate(request, onToken);
                generations.add(r.id(), g.tokens(), g.generateNanos());
                return new GenerateResult(g.promptTokens(), g.tokens(), g.finish(), lease.loadNanos(), g.promptNanos(),
                        g.generateNanos());
            } finally {
                l.turn.release();
            }
        } catch (RunnerFailure e) {
            throw e.toApi();
        }
    }

    /** Pooled vectors from an embedder or a reranker, and the tokens they took. */
    public record Pooled(List<float[]> vectors, int tokens, long loadNanos) {
    }

    /** Embeds the inputs (text, or token ids when {@code tokens} is not null) with an embedding model. */
    public Pooled embed(String model, LoadOptions options, List<String> inputs, List<int[]> tokens, boolean truncate) {
        return pool(model, options, ModelRole.EMBEDDER, null, inputs, tokens, truncate);
    }

    /** Scores each document's relevance to the query with a reranker. */
    public Pooled rerank(String model, LoadOptions options, String query, List<String> documents, boolean truncate) {
        return pool(model, options, ModelRole.RERANKER, query, documents, null, truncate);
    }

    private Pooled pool(String model, LoadOptions options, ModelRole role, String query, List<String> inputs,
                        List<int[]> tokens, boolean truncate) {
        ModelRecord r = models.get(model);
        refuseEarly(r, role);
        try (Lease lease = lease(r, options)) {
            require(lease, role, r);
            Loaded l = lease.loaded;
            l.turn.acquireUninterruptibly();
            try {
                Runner.Vectors v = l.runner.pool(query, inputs, tokens, truncate);
                return new Pooled(v.vectors(), v.tokens(), lease.loadNanos());
            } finally {
                l.turn.release();
            }
        } catch (RunnerFailure e) {
            throw e.toApi();
        }
    }

    /** Refuses before loading anything when the model's spec already says it has another role. */
    private static void refuseEarly(ModelRecord r, ModelRole needed) {
        ModelRole known = ModelRoles.of(r.spec());
        if (known != needed) {
            throw wrongRole(r, known, needed);
        }
    }

    private static void require(Lease lease, ModelRole needed, ModelRecord r) {
        if (lease.role() != needed) {
            throw wrongRole(r, lease.role(), needed);
        }
    }

    private static ModeldException wrongRole(ModelRecord r, ModelRole is, ModelRole needed) {
        return ModeldException.invalid("model '" + r.spec().name() + "' is " + is.withArticle() + " (it serves "
                + is.serves() + "), not " + needed.withArticle() + "; use a model made for " + needed.serves());
    }

    /** The role of a downloaded model, from its file; null when it is not downloaded or not GGUF. */
    public ModelRole roleOf(ModelRecord r) {
        if (!r.downloaded()) {
            return null;
        }
        try {
            return ModelRole.of(GgufReader.read(file(r)));
        } catch (GgufFormatException | IOException e) {
            return null;
        }
    }

    /** Unloads the models idle for at least their keep-alive (the daemon's, or the one a request set). */
    public void expireIdle() {
        long now = clock.millis();
        List<String> expired;
        synchronized (lock) {
            expired = loaded.values().stream().filter(l -> {
                Duration keep = l.keepAliveOr(defaultKeepAlive);
                return l.active == 0 && keep != null && !keep.isNegative() && now - l.lastUsed >= keep.toMillis();
            }).map(l -> l.id).toList();
        }
        for (String id : expired) {
            LOG.info("unloading {}: idle longer than its keep-alive", id);
            unloadId(id);
        }
    }

    private Path file(ModelRecord r) {
        return models.fileOf(r);
    }

    private Loaded ensureLoaded(ModelRecord r, LoadOptions options) {
        String id = r.id();
        if (downloading.test(id)) {
            throw ModeldException.conflict("model '" + r.spec().name() + "' is still downloading; load it once "
                    + "its download completes");
        }
        if (!r.downloaded()) {
            throw ModeldException.conflict("model '" + r.spec().name() + "' is not downloaded; download it first "
                    + "with POST /model/" + id + "/download");
        }
        CompletableFuture<Loaded> mine = null;
        CompletableFuture<Loaded> running;
        Loaded stale = null;
        synchronized (lock) {
            Loaded l = loaded.get(id);
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
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
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

    private Loaded start(ModelRecord r, LoadOptions options) {
        Path file = file(r);
        GgufFile gguf;
        try {
            gguf = GgufReader.read(file);
        } catch (GgufFormatException | IOException e) {
            throw new ModeldException(ModeldException.Kind.UNPROCESSABLE, "cannot load '" + r.spec().name()
                    + "': its file is not a usable GGUF model (" + e.getMessage() + ")");
        }
        int context = options.context() > 0 ? options.context() : r.spec().context() == null ? 0 : r.spec().context();
        MemoryEstimate estimate = MemoryEstimate.of(gguf, r.file().size(), context);
        ModelRole role = ModelRole.of(gguf);
        reserve(r, estimate.total());
        Runner runner = null;
        try {
            runner = runners.take();
            Runner.Loaded info = runner.load(models.filesOf(r), estimate.context(), threads, role, false);
            Loaded l = new Loaded(r.id(), runner, estimate, role, info.context(), options.keepAlive());
            synchronized (lock) {
                loaded.put(r.id(), l);
            }
            Runner mine = runner;
            runner.onExit(() -> {
                boolean removed;
                synchronized (lock) {
                    removed = loaded.remove(r.id(), l);
                }
                if (removed) {
                    LOG.warn("the runner of {} (pid {}) exited; the model is no longer loaded", r.id(), mine.pid());
                    models.announce(r.id());
                }
            });
            LOG.info("loaded {} as {} (pid {}, context {}, estimate {} MB)", r.id(), role.wire(), runner.pid(),
                    info.context(), estimate.total() >> 20);
            models.announce(r.id());
            return l;
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
                reserved.remove(r.id());
            }
        }
    }

    /** Makes room for {@code need} bytes by evicting idle models, least recently used first, or fails. */
    private void reserve(ModelRecord r, long need) {
        if (need > budget) {
            throw insufficient(r, need, used());
        }
        while (true) {
            Loaded victim;
            synchronized (lock) {
                long used = usedLocked();
                if (budget - used >= need) {
                    reserved.put(r.id(), need);
                    return;
                }
                Optional<Loaded> idle = loaded.values().stream().filter(l -> l.active == 0)
                        .min(Comparator.comparingLong(l -> l.lastUsed));
                if (idle.isEmpty()) {
                    throw insufficient(r, need, used);
                }
                victim = idle.get();
                loaded.remove(victim.id);
            }
            LOG.info("evicting {} to make room for {}", victim.id, r.id());
            release(victim, false);
            models.announce(victim.id);
        }
    }

    private ModeldException insufficient(ModelRecord r, long need, long used) {
        return new ModeldException(ModeldException.Kind.INSUFFICIENT_STORAGE, "not enough memory to load '"
                + r.spec().name() + "': needs " + need + " bytes, " + Math.max(0, budget - used)
                + " available of the " + budget + "-byte budget (--memory-budget)");
    }

    @Override
    public void close() {
        unloadAll();
        runners.close();
    }
}
