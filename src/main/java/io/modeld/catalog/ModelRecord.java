package io.modeld.catalog;

import java.time.Instant;

/**
 * A model as the store keeps it: identity, its spec, and the state that survives restarts.
 * {@code fileName} is the name of the finished file under {@code models/<id>/} when downloaded.
 */
public record ModelRecord(String id, Instant created, boolean custom, ModelSpec spec, boolean downloaded,
                          String fileName) {

    public ModelRecord withSpec(ModelSpec newSpec) {
        return new ModelRecord(id, created, custom, newSpec, downloaded, fileName);
    }

    public ModelRecord withFile(boolean isDownloaded, String file) {
        return new ModelRecord(id, created, custom, spec, isDownloaded, file);
    }
}
