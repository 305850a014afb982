package io.modeld.runtime;

import io.modeld.gguf.ModelRole;

/**
 * One loaded model as {@code GET /memory} and {@code /api/ps} show it; {@code expiresAt} is when its
 * keep-alive unloads it if it stays idle (epoch ms; -1: never); {@code waiting}, the requests queued
 * behind the one it is serving.
 */
public record LoadedModel(String id, long estimate, long resident, long pid, ModelRole role, int context,
                          long expiresAt, int waiting, boolean busy) {
}
