package io.modeld.runtime;

import io.modeld.ModeldException;
import io.modeld.engine.KvCache;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.ModelRole;

/**
 * What a load will make of a model, decided before any runner is asked: its role, its context, how many
 * requests it serves at once (a generator's slots) and what that needs ({@link MemoryEstimate}), which the
 * budget then reserves.
 *
 * @param context the context asked for, in tokens (0: auto, see {@link #autoContext})
 */
record LoadPlan(ModelRole role, int context, int slots, MemoryEstimate estimate, KvCache kv) {

    /** Slots of a generator when the setting is auto: llama-server's default, and Ollama's busy-machine one. */
    static final int AUTO_PARALLEL = 4;

    /**
     * The plan for {@code gguf} (a file of {@code fileSize} bytes, called {@code name}) with {@code context}
     * tokens, under the {@code parallel} setting (0: auto) and a budget of {@code budget} bytes. On auto, a
     * generator gets {@value #AUTO_PARALLEL} slots or, when their KV cache does not fit the budget, the most that
     * do (at least 1); a set number whose KV cache does not fit is refused, saying what it needs.
     */
    static LoadPlan of(String name, GgufFile gguf, long fileSize, int context, int parallel, long budget, KvCache kv) {
        ModelRole role = ModelRole.of(gguf);
        if (role != ModelRole.GENERATOR) {
            return new LoadPlan(role, context, 1, MemoryEstimate.of(gguf, fileSize, context, 1), KvCache.DEFAULT);
        }
        double bytes = kv.type().bytesPerElement();
        int slots = slots(name, gguf, fileSize, context, parallel, budget, bytes);
        int chosen = context > 0 ? context : autoContext(gguf, fileSize, slots, budget, bytes);
        return new LoadPlan(role, chosen, slots, MemoryEstimate.of(gguf, fileSize, chosen, slots, bytes), kv);
    }

    /**
     * A chat model that names no context gets the largest one whose estimate with its slots takes at most half
     * the budget (so that a second model, an embedder beside a chat model, loads without evicting it), trying its
     * trained context first and then halves of it, down to {@link MemoryEstimate#DEFAULT_CONTEXT} (or the trained
     * context when that is smaller). A coding agent's first prompt is 15-20k tokens before the user says a word,
     * and Ollama's documentation asks for 64k for agents; 4,096 for all was the old default.
     */
    static int autoContext(GgufFile gguf, long fileSize, int slots, long budget, double kvBytes) {
        Long trainedField = gguf.archInteger("context_length");
        long trained = Math.min(trainedField == null ? MemoryEstimate.DEFAULT_CONTEXT : trainedField,
                io.modeld.config.Setting.MAX_CONTEXT);
        long floor = Math.min(trained, MemoryEstimate.DEFAULT_CONTEXT);
        for (long c = trained; c > floor; c /= 2) {
            if (MemoryEstimate.of(gguf, fileSize, (int) c, slots, kvBytes).total() <= budget / 2) {
                return (int) c;
            }
        }
        return (int) Math.max(1, floor);
    }

    private static int slots(String name, GgufFile gguf, long fileSize, int context, int parallel, long budget,
                             double kvBytes) {
        if (parallel > 0) {
            MemoryEstimate e = MemoryEstimate.of(gguf, fileSize, context, parallel, kvBytes);
            if (parallel > 1 && e.total() > budget) {
                throw new ModeldException(ModeldException.Kind.INSUFFICIENT_STORAGE, "not enough memory to load '"
                        + name + "' with " + parallel + " slots of " + e.context() + " tokens: it needs "
                        + (e.total() >> 20) + " MB (" + (e.kvCache() >> 20) + " MB of them the slots' KV cache), the "
                        + "budget is " + (budget >> 20) + " MB (--memory-budget); lower parallel (--parallel, "
                        + "or the setting) or the context");
            }
            return parallel;
        }
        for (int n = AUTO_PARALLEL; n > 1; n /= 2) {
            if (MemoryEstimate.of(gguf, fileSize, context, n, kvBytes).total() <= budget) {
                return n;
            }
        }
        return 1;
    }
}
