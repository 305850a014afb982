package io.modeld.runtime;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufHeaders;
import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.ModelRole;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's loads: a model's header read, its load planned ({@link LoadPlan}), room made in the budget
 * (idle models evicted, least recently used first, or INSUFFICIENT_STORAGE naming needed and available
 * memory), a runner taken and the model loaded in it; concurrent loads of one model share one, and every
 * request that joined a load learns how it ended, whatever ended it. Works under the scheduler's lock.
 */
final class Loader {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /**
     * What a runner may take beyond its model's estimate: llama.cpp's own buffers the estimate does not see,
     * and a template's values; a template that grows for ever stops there instead of at the machine's end.
     */
    static final long LOAD_HEADROOM = 1L << 30;
    /** The auto prompt cache's largest RAM, as llama-server's default {@code --cache-ram}. */
    static final long AUTO_CACHE_MAX = 8L << 30;
    /** Less free than this and the auto prompt cache is off: a few states of a small model. */
    static final long AUTO_CACHE_MIN = 16L << 20;

    private final Scheduler s;
    private final Predicate<String> downloading;
    /** Loads in flight, by model id; under the scheduler's lock. */
    private final Map<String, CompletableFuture<Resident>> loading = new HashMap<>();

    Loader(Scheduler scheduler, Predicate<String> downloading) {
        this.s = scheduler;
        this.downloading = downloading;
    }

    Resident ensureLoaded(ModelRecord r, LoadOptions options) {
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
        synchronized (s.lock) {
            Resident l = s.loaded.get(id);
            // A model in use keeps its context until its requests are done: another context waits for that.
            if (l != null && l.runner.alive() && (options.context() <= 0 || options.context() == l.context
                    || l.active > 0) && (options.gpuLayers() == null || options.gpuLayers() == l.gpuLayersAsked
                    || s.knownDevices().isEmpty() || l.active > 0)) {
                return l;
            }
            running = loading.get(id);
            if (running == null) {
                if (l != null && l.active == 0) {
                    stale = s.loaded.remove(id);   // dead, or loaded with another context: load it anew
                }
                mine = new CompletableFuture<>();
                loading.put(id, mine);
                running = mine;
            }
        }
        if (stale != null) {
            s.release(stale, false);
        }
        if (mine != null) {
            try {
                mine.complete(start(r, options));
            } catch (Throwable e) {
                // any failure, an Error too, must end the load for every request that joined it
                mine.completeExceptionally(e);
                throw e;
            } finally {
                synchronized (s.lock) {
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

    /** The model's projector, when it has one that can serve it; one that cannot is left out, with a warning. */
    private java.nio.file.Path projector(ModelRecord r) {
        java.nio.file.Path p = s.models.projectorOf(r);
        String problem = io.modeld.gguf.ProjectorFacts.problem(p, s.models.fileOf(r));
        if (problem != null) {
            LOG.warn("{} reads text only: {}", r.spec().name(), problem);
            return null;
        }
        return p;
    }

    private Resident start(ModelRecord r, LoadOptions options) {
        long began = System.nanoTime();
        Resident made = startTimed(r, options);
        s.events.loaded(r.id(), System.nanoTime() - began);
        return made;
    }

    private Resident startTimed(ModelRecord r, LoadOptions options) {
        GgufFile gguf;
        try {
            gguf = GgufHeaders.shared().read(s.models.fileOf(r));
        } catch (GgufFormatException | IOException e) {
            throw new ModeldException(ModeldException.Kind.UNPROCESSABLE, "cannot load '" + r.spec().name()
                    + "': its file is not a usable GGUF model (" + e.getMessage() + ")");
        }
        int context = options.context() > 0 ? options.context() : r.spec().context() != null ? r.spec().context()
                : s.context();
        LoadPlan plan = LoadPlan.of(r.spec().name(), gguf, r.file().size(), context, s.parallel(), s.budget.bytes(), s.kvCache());
        ModelRole role = plan.role();
        int slots = plan.slots();
        MemoryEstimate estimate = plan.estimate();
        Scheduler.PromptCacheBounds bounds = role == ModelRole.GENERATOR ? s.promptCache()
                : Scheduler.PromptCacheBounds.NONE;
        Draft draft = role == ModelRole.GENERATOR ? draft(r, estimate.context(), slots) : Draft.NONE;
        ModelRunner runner = null;
        try {
            int asked = options.gpuLayers() != null ? options.gpuLayers() : s.gpuLayers();
            DeviceFit fit = place(r, gguf, estimate, asked);
            long cacheRam = reserve(r, estimate.total() - fit.deviceBytes() + draft.bytes(), bounds.ram());
            runner = s.runners.take();
            // a state restored from disk is read whole before it goes in: the runner may hold it beside the RAM tier
            ModelRunner.Load load = new ModelRunner.Load(s.models.filesOf(r), estimate.context(), s.threads,
                    role, false, slots, estimate.total() + draft.bytes() + 2 * cacheRam + LOAD_HEADROOM, plan.kv(),
                    cacheSettings(r, estimate.context(), plan.kv(), bounds, cacheRam), s.draft(), draft.files(),
                    role == ModelRole.GENERATOR ? projector(r) : null, fit.placement());
            ModelRunner.Loaded info;
            try {
                info = runner.load(load);
            } catch (RunnerFailure e) {
                if (!fit.placement().onDevice() || e.kind() != RunnerFailure.Kind.DIED) {
                    throw e;
                }
                // the GPU's driver took the runner down: the model loads on the CPU, in a runner of its own
                LOG.warn("{} on {} ended its runner ({}); loading it on the CPU", r.spec().name(),
                        fit.placement().device(), e.getMessage());
                runner.close();
                runner = null;
                runner = s.runners.take();
                info = runner.load(load.at(io.modeld.engine.Placement.CPU));
                info = new ModelRunner.Loaded(info.context(), info.embeddingSize(), info.trainedContext(),
                        info.draftProblem(), info.mediaProblem(), info.placement(), e.getMessage());
            }
            if (info.gpuProblem() != null) {
                LOG.warn("{} runs on the CPU: the GPU failed it ({})", r.spec().name(), info.gpuProblem());
            }
            if (info.draftProblem() != null) {
                LOG.warn("{} drafts without its draft model {}: {}", r.spec().name(), draft.name(), info.draftProblem());
            }
            if (info.mediaProblem() != null) {
                LOG.warn("{} reads text only: {}", r.spec().name(), info.mediaProblem());
            }
            Resident resident = new Resident(r.id(), runner, estimate, role, info.context(), slots, plan.kv(),
                    options.keepAlive(),
                    s.clock.millis());
            resident.cacheRam = cacheRam;
            resident.draftBytes = draft.bytes();
            Long blocks = gguf.archInteger("block_count");
            resident.layers = fit.layers() > 0 ? fit.layers() : blocks == null ? 0 : (int) (blocks + 1);
            resident.placement = info.placement();
            resident.gpuLayersAsked = asked;
            resident.deviceBytes = info.placement().onDevice() ? fit.deviceBytes() : 0;
            synchronized (s.lock) {
                s.loaded.put(r.id(), resident);
            }
            ModelRunner mine = runner;
            runner.onExit(() -> {
                boolean removed;
                synchronized (s.lock) {
                    removed = s.loaded.remove(r.id(), resident);
                }
                if (removed) {
                    LOG.warn("the runner of {} (pid {}) exited; the model is no longer loaded", r.id(), mine.pid());
                    s.models.announce(r.id());
                }
            });
            LOG.info("loaded {} as {} (pid {}, {} slot(s) of {} tokens, estimate {} MB{})", r.id(), role.wire(),
                    runner.pid(), slots, info.context(), estimate.total() >> 20, info.placement().onDevice()
                            ? ", " + info.placement().layers() + "/" + fit.layers() + " layers on "
                            + info.placement().device() + " (" + (fit.deviceBytes() >> 20) + " MB)" : "");
            s.models.announce(r.id());
            return resident;
        } catch (RunnerFailure e) {
            if (runner != null) {
                if (e.kind() == RunnerFailure.Kind.DIED) {
                    runner.close();
                } else {
                    s.runners.giveBack(runner);
                }
            }
            throw e.toApi();
        } finally {
            synchronized (s.lock) {
                s.budget.unreserve(r.id());
            }
        }
    }

    /** A chat model's draft model: its name, files and what it takes beside the model ({@link #NONE}: none). */
    record Draft(String name, java.util.List<java.nio.file.Path> files, long bytes) {
        static final Draft NONE = new Draft(null, java.util.List.of(), 0);
    }

    /**
     * The draft model of {@code r}: its Modelfile's {@code draft_model}, else the daemon's {@code --draft-model},
     * when drafting is on; its weights, and a KV cache of {@code slots} sequences of {@code context} tokens, count
     * against the budget with the model. One that is not there, not downloaded, not a chat model or the model
     * itself is left out with a warning: the model loads and drafts by n-gram lookup alone.
     */
    private Draft draft(ModelRecord r, int context, int slots) {
        Object asked = r.spec().modelfile() == null || r.spec().modelfile().parameters() == null ? null
                : r.spec().modelfile().parameters().get("draft_model");
        String name = asked != null ? asked.toString() : s.draftModel();
        if (name == null || name.isBlank() || !s.draft()) {
            return Draft.NONE;
        }
        ModelRecord d;
        try {
            d = s.models.get(name);
        } catch (ModeldException e) {
            LOG.warn("{}: its draft model '{}' is not a model here; it drafts without one", r.spec().name(), name);
            return Draft.NONE;
        }
        if (d.id().equals(r.id()) || !d.downloaded()) {
            LOG.warn("{}: its draft model '{}' is {}; it drafts without one", r.spec().name(), name,
                    d.id().equals(r.id()) ? "the model itself" : "not downloaded");
            return Draft.NONE;
        }
        try {
            GgufFile g = GgufHeaders.shared().read(s.models.fileOf(d));
            if (ModelRole.of(g) != ModelRole.GENERATOR) {
                LOG.warn("{}: its draft model '{}' is not a chat model; it drafts without one", r.spec().name(), name);
                return Draft.NONE;
            }
            MemoryEstimate e = MemoryEstimate.of(g, d.file().size(), context, slots);
            return new Draft(d.spec().name(), s.models.filesOf(d), e.weights() + e.kvCache() + e.compute());
        } catch (GgufFormatException | IOException e) {
            LOG.warn("{}: its draft model '{}' cannot be read ({}); it drafts without one", r.spec().name(), name,
                    e.getMessage());
            return Draft.NONE;
        }
    }

    /**
     * The prompt cache of {@code r}: its bound in RAM ({@code ram} bytes, already reserved; 0: no cache), the disk
     * tier's, and the key its states are valid for (slots saved to files carry it too): the model file (its digest
     * where it has one), the slot's context and the KV cache's settings (the runner adds its llama.cpp release).
     */
    private io.modeld.engine.PromptCache.Settings cacheSettings(ModelRecord r, int context, io.modeld.engine.KvCache kv,
                                                                Scheduler.PromptCacheBounds bounds, long ram) {
        if (bounds.root() == null) {
            return io.modeld.engine.PromptCache.Settings.NONE;
        }
        String file;
        if (r.file() != null && r.file().sha256() != null) {
            file = "sha256:" + r.file().sha256();
        } else {
            java.nio.file.Path f = s.models.fileOf(r);
            long modified;
            try {
                modified = java.nio.file.Files.getLastModifiedTime(f).toMillis();
            } catch (IOException e) {
                modified = -1;
            }
            file = f.toAbsolutePath() + "|" + r.file().size() + "|" + modified;
        }
        String key = file + "|ctx=" + context + "|kv=" + kv.type().wire() + "|fa=" + kv.flash().wire();
        return new io.modeld.engine.PromptCache.Settings(ram, bounds.disk(), bounds.root().toString(), key);
    }

    /**
     * Where the layers of {@code r} go: on the GPU with the most room for it, as many as fit ({@link DeviceFit}) or
     * as {@code asked} ({@code --gpu-layers}, {@code num_gpu}; -1: as many as fit); reserved there. When they do not
     * all fit, idle models with layers on that device are evicted, least recently used first, while there are any.
     * No GPU, or 0 layers asked: the CPU.
     */
    private DeviceFit place(ModelRecord r, GgufFile gguf, MemoryEstimate estimate, int asked) {
        java.util.List<io.modeld.engine.Device> devices = asked == 0 ? java.util.List.of() : s.devices();
        if (devices.isEmpty()) {
            return DeviceFit.CPU;
        }
        Long blocks = gguf.archInteger("block_count");
        while (true) {
            Resident victim;
            synchronized (s.lock) {
                io.modeld.engine.Device best = null;
                long room = -1;
                for (io.modeld.engine.Device d : devices) {
                    long free = DeviceFit.capacity(d, s.gpu().memory()) - s.budget.usedOnDevice(d.name(), s.loaded.values());
                    if (free > room) {
                        best = d;
                        room = free;
                    }
                }
                DeviceFit fit = DeviceFit.of(estimate, blocks == null ? 0 : blocks, best, Math.max(0, room), asked);
                victim = fit.full() || asked >= 0 ? null : MemoryBudget.victimOn(best.name(), s.loaded.values());
                if (victim == null) {
                    if (fit.placement().onDevice()) {
                        s.budget.reserveOnDevice(r.id(), best.name(), fit.deviceBytes());
                    }
                    return fit;
                }
                s.loaded.remove(victim.id);
            }
            evict(victim, r);
        }
    }

    private void evict(Resident victim, ModelRecord forWhom) {
        LOG.info("evicting {} to make room for {}", victim.id, forWhom.id());
        s.events.evicted(victim.id);
        s.release(victim, false);
        s.models.announce(victim.id);
    }

    /**
     * Makes room for {@code need} bytes by evicting idle models, least recently used first, or fails; and for the
     * prompt cache's {@code cacheRam} (auto: -1, then it takes what is free once the model fits, up to an eighth of
     * the budget and 8 GiB, and never evicts for it). Returns the prompt cache's bytes, reserved with the model's.
     */
    private long reserve(ModelRecord r, long model, long cacheRam) {
        long need = model + Math.max(0, cacheRam);
        if (need > s.budget.bytes()) {
            throw s.budget.insufficient(r.spec().name(), need, s.used());
        }
        while (true) {
            Resident victim;
            synchronized (s.lock) {
                if (s.budget.fits(need, s.loaded.values())) {
                    long cache = cacheRam;
                    if (cache < 0) {
                        long free = s.budget.bytes() - s.budget.used(s.loaded.values()) - need;
                        cache = Math.min(Math.min(s.budget.bytes() / 8, AUTO_CACHE_MAX), free);
                        cache = cache < AUTO_CACHE_MIN ? 0 : cache;
                    }
                    s.budget.reserve(r.id(), model + cache);
                    return cache;
                }
                victim = MemoryBudget.victim(s.loaded.values());
                if (victim == null) {
                    throw s.budget.insufficient(r.spec().name(), need, s.budget.used(s.loaded.values()));
                }
                s.loaded.remove(victim.id);
            }
            evict(victim, r);
        }
    }
}
