package io.modeld.catalog;

import java.time.Instant;

/**
 * A model as the store keeps it: identity, its spec, and the state that survives restarts: the
 * verified file under {@code models/<id>/} when downloaded, and why the last download failed, if it did.
 */
public record ModelRecord(String id, Instant created, boolean custom, ModelSpec spec, LocalFile file,
                          String failure) {

    /** A finished, verified model file: its name under {@code models/<id>/}, size and SHA-256. */
    public record LocalFile(String name, long size, String sha256) {
    }

    public boolean downloaded() {
        return file != null;
    }

    public ModelRecord withSpec(ModelSpec newSpec) {
        return new ModelRecord(id, created, custom, newSpec, file, failure);
    }

    public ModelRecord withFile(LocalFile newFile) {
        return new ModelRecord(id, created, custom, spec, newFile, null);
    }

    public ModelRecord withFailure(String reason) {
        return new ModelRecord(id, created, custom, spec, file, reason);
    }
}
