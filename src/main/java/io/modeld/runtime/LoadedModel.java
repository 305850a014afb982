package io.modeld.runtime;

import io.modeld.gguf.ModelRole;

/**
 * One loaded model as {@code GET /memory} and {@code /api/ps} show it; {@code expiresAt} is when its
 * keep-alive unloads it if it stays idle (epoch ms; -1: never); {@code slots}, the requests it serves at
 * once, {@code busySlots} of them in use, {@code waiting} the requests queued for a free one; {@code busy}
 * when any slot is; its KV cache's type and flash attention setting ({@link io.modeld.engine.KvCache}); what its
 * prompt cache holds and how it served; the tokens it drafted (speculative decoding) and kept; the GPU its
 * {@code gpuLayers} of {@code layers} are on ({@code device}; null: all on the CPU) and the bytes they take there.
 */
public record LoadedModel(String id, long estimate, long resident, long pid, ModelRole role, int context,
                          long expiresAt, int waiting, boolean busy, int slots, int busySlots, String kvCacheType,
                          String flashAttention, io.modeld.engine.PromptCache.Stats promptCache,
                          io.modeld.engine.Generator.DraftCounts drafts, String device, int gpuLayers, int layers,
                          long deviceBytes) {
}
