package io.modeld.runtime;

import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.ModelRole;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * A model in memory: its runner, estimate, role and context, the requests using it ({@link #active},
 * guarded by the scheduler's lock), when it was last used, its own keep-alive, and its turns: as many
 * generations at once as it has slots; a few more wait their turn.
 */
final class Resident {

    final String id;
    final ModelRunner runner;
    final MemoryEstimate estimate;
    final ModelRole role;
    final int context;
    final int slots;
    final io.modeld.engine.KvCache kv;
    final Semaphore turn;
    /** Leases held; guarded by the scheduler's lock. */
    int active;
    volatile long lastUsed;
    /** What its prompt cache held after the last generation (none before the first). */
    volatile io.modeld.engine.PromptCache.Stats cache = io.modeld.engine.PromptCache.Stats.NONE;
    /** Its drafts (speculative decoding) after the last generation. */
    volatile io.modeld.engine.Generator.DraftCounts drafts = new io.modeld.engine.Generator.DraftCounts(0, 0);
    /** This model's keep-alive; null for the daemon's default, negative for ever. */
    volatile Duration keepAlive;

    Resident(String id, ModelRunner runner, MemoryEstimate estimate, ModelRole role, int context, int slots,
             io.modeld.engine.KvCache kv, Duration keepAlive, long now) {
        this.id = id;
        this.kv = kv;
        this.slots = slots;
        this.turn = new Semaphore(slots, true);
        this.runner = runner;
        this.estimate = estimate;
        this.role = role;
        this.context = context;
        this.keepAlive = keepAlive;
        this.lastUsed = now;
    }

    /** The RAM its prompt cache may take, charged with the estimate. */
    volatile long cacheRam;
    /** What its draft model takes beside it (weights, KV cache), charged with the estimate. */
    volatile long draftBytes;
    /** Where its layers are, and what they take on the device (not in RAM). */
    volatile io.modeld.engine.Placement placement = io.modeld.engine.Placement.CPU;
    volatile long deviceBytes;
    /** The layers it has to place (its repeating ones and the output layer); 0 when not known. */
    volatile int layers;
    /**
     * The layers its load asked for on the GPU (-1 as many as fit): a request that asks for another count loads it
     * again; one that asks the same does not, even where the GPU gave fewer or failed it.
     */
    volatile int gpuLayersAsked = -1;

    /**
     * What it counts against the budget: the larger of its estimate (with its prompt cache's bound and its draft
     * model; without what its layers on a GPU take there) and what its runner really uses.
     */
    long using() {
        return Math.max(estimate.total() - deviceBytes + cacheRam + draftBytes, runner.residentBytes());
    }

    Duration keepAliveOr(Duration fallback) {
        return keepAlive != null ? keepAlive : fallback;
    }

    /** When its keep-alive unloads it if it stays idle (epoch ms), or -1 for never. */
    long expiresAt(Duration fallback) {
        Duration keep = keepAliveOr(fallback);
        return keep == null || keep.isNegative() ? -1 : lastUsed + keep.toMillis();
    }

    LoadedModel view(Duration fallback) {
        int inUse = slots - turn.availablePermits();
        return new LoadedModel(id, estimate.total(), runner.residentBytes(), runner.pid(), role, context,
                expiresAt(fallback), turn.getQueueLength(), inUse > 0, slots, inUse, kv.type().wire(), kv.flash().wire(),
                cache, drafts, placement.device(), placement.layers(), layers, deviceBytes);
    }
}
