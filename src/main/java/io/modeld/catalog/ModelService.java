package io.modeld.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import io.modeld.config.DataDir;
import io.modeld.gguf.GgufFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The models: lookups (by {@link ModelNames}), create, update, delete, and the catalog merge at startup
 * ({@link CatalogMerge}).
 *
 * <p>Reads are served from an immutable snapshot held in memory, so they never wait on the database.
 * Writes are checked one at a time under a lock against the state including every change accepted so
 * far, then written to the store by {@link GroupCommit} (many requests' changes in one transaction);
 * only then is the snapshot replaced and the listeners told: nobody ever sees a change that is not
 * on disk, and no request is answered before its change is.
 */
public final class ModelService {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelService.class);

    private final ModelStore store;
    final Clock clock;
    private final DataDir dataDir;
    private final List<Consumer<ModelChange>> listeners = new CopyOnWriteArrayList<>();
    final Object writeLock = new Object();
    final GroupCommit commits;
    /** What readers see: only changes that are in the store. */
    private volatile ModelSnapshot snapshot = ModelSnapshot.of(List.of(), Set.of());
    /** What writers check against, under the write lock: every accepted change, written or not yet. */
    ModelSnapshot accepted = snapshot;
    /** The models found in library roots: not stored, replaced as a whole by each scan. */
    private volatile ModelSnapshot library = ModelSnapshot.of(List.of(), Set.of());
    private final Object libraryLock = new Object();
    /** The last list handed out, kept while neither part changes. */
    private volatile Listing listing;

    private record Listing(ModelSnapshot stored, ModelSnapshot library, List<ModelRecord> all) {
    }

    private final CustomModels custom = new CustomModels(this);

    public ModelService(ModelStore store, Clock clock, DataDir dataDir) {
        this.store = store;
        this.clock = clock;
        this.dataDir = dataDir;
        this.commits = new GroupCommit(store, writeLock, this::publish, () -> accepted = snapshot);
    }

    /** Loads the store and merges the catalog into it ({@link CatalogMerge}), then tidies the data dir. */
    public void start(List<ModelSpec> catalog) {
        synchronized (writeLock) {
            List<ModelRecord> original = store.loadAll();
            CatalogMerge.Result m = CatalogMerge.merge(original, LocalFiles.missing(dataDir, original), catalog,
                    clock.instant());
            store.write(m.upserts(), m.deletions());
            snapshot = ModelSnapshot.of(m.all(), m.catalogIds());
            accepted = snapshot;
            LocalFiles.removeUnowned(dataDir, snapshot.byId());
            LocalFiles.removeLeftoverUploads(dataDir);
            LOG.info("catalog merged: {} offered, {} added or changed, {} retired, {} models in all",
                    m.catalogIds().size(), m.upserts().size(), m.deletions().size(), m.all().size());
        }
    }

    /** Calls {@code listener} after every committed change. Listeners must not block. */
    public void subscribe(Consumer<ModelChange> listener) {
        listeners.add(listener);
    }

    /**
     * Every model, catalog models first in catalog order, then the others by creation time. The same
     * list instance is returned until a model changes, so callers may cache what they derive from it.
     */
    public List<ModelRecord> list() {
        ModelSnapshot stored = snapshot;
        ModelSnapshot found = library;
        Listing last = listing;
        if (last != null && last.stored() == stored && last.library() == found) {
            return last.all();
        }
        List<ModelRecord> all = stored.ordered();
        if (!found.ordered().isEmpty()) {
            List<ModelRecord> both = new ArrayList<>(all);
            both.addAll(found.ordered());
            all = List.copyOf(both);
        }
        listing = new Listing(stored, found, all);
        return all;
    }

    /**
     * The model with this id or unique name, or (for a name that is neither) the model answering to that
     * Ollama name ({@link ModelNames}); INVALID for a malformed reference, UNKNOWN_MODEL if none.
     */
    public ModelRecord get(String model) {
        return ModelNames.resolve(model, snapshot, library, list());
    }

    /**
     * Replaces the models found in library roots; the listeners hear of each one added, changed or gone.
     * Called by the library scanner only, one scan at a time.
     */
    public void setLibrary(List<ModelRecord> found) {
        List<ModelChange> changes;
        synchronized (libraryLock) {
            ModelSnapshot now = ModelSnapshot.of(found, Set.of());
            changes = library.changesTo(now);
            library = now;
        }
        changes.forEach(this::notify);
    }

    /**
     * Refuses to change a model found in a library root, and to remove the file of a model registered in
     * place ({@link ModelRecord.InPlace#refuseChange}); {@code forget}: the change is a delete.
     */
    public void refuseInPlace(ModelRecord r, boolean forget) {
        if (r.inPlace() != null) {
            r.inPlace().refuseChange(r.spec().name(), forget);
        }
    }

    /** A stored model, for a change: one found in a library root is refused with FORBIDDEN. Under the write lock. */
    ModelRecord find(ModelSnapshot s, String model) {
        ModelNames.checkReference(model);
        ModelRecord r = s.find(model);
        if (r == null) {
            ModelRecord found = library.find(model);
            if (found != null) {
                refuseInPlace(found, false);
            }
            throw ModeldException.unknownModel(model);
        }
        return r;
    }

    /** A downloaded custom model made of files already on disk ({@link CustomModels#createFromFile}). */
    public ModelRecord createFromFile(ModelSpec spec, List<Path> sources, ModelRecord.LocalFile given) {
        return custom.createFromFile(spec, sources, given, null);
    }

    /**
     * The same with the model's projector ({@code projector}: images, audio; null for none), kept beside it; one made
     * for another model (its output size is not the model's) is refused, both sizes named.
     */
    public ModelRecord createFromFile(ModelSpec spec, List<Path> sources, ModelRecord.LocalFile given, Path projector) {
        return custom.createFromFile(spec, sources, given, projector);
    }

    /** The data dir's layout. */
    public DataDir dataDir() {
        return dataDir;
    }

    /** Where a downloaded model's file (the first part of a split one) is: in place, or in the store. */
    public Path fileOf(ModelRecord r) {
        return LocalFiles.pathOf(dataDir, r);
    }

    /**
     * Every file of a downloaded model: the parts of a split model in order (in place, or named
     * {@code <name>-00001-of-0000N.gguf} in the store, as a registry's shards are), else its one file.
     */
    public List<Path> filesOf(ModelRecord r) {
        return LocalFiles.pathsOf(dataDir, r);
    }

    /** A downloaded model's projector (images, audio), or null when it has none ({@link LocalFiles#projectorOf}). */
    public Path projectorOf(ModelRecord r) {
        return LocalFiles.projectorOf(dataDir, r);
    }

    /** Whether the model is offered by the current catalog (and so cannot be deleted or updated). */
    public boolean inCatalog(String id) {
        return snapshot.catalogIds().contains(id);
    }

    /**
     * Creates a custom model from a SeededModel. One that matches an existing custom model (same unique
     * name, or same name and source) returns that model and changes nothing.
     */
    public ModelRecord create(JsonNode seeded) {
        return custom.create(seeded);
    }

    /** A custom model answered by a remote one ({@link CustomModels#createRemote}). */
    public ModelRecord createRemote(ModelSpec spec) {
        return custom.createRemote(spec);
    }

    /** The model a pull of an unknown Ollama name makes ({@link CustomModels#createForPull}). */
    public ModelRecord createForPull(String ollamaName, String url) {
        return custom.createForPull(ollamaName, url);
    }

    /** Records that a model registered in place has its file again ({@link CustomModels#relink}). */
    public ModelRecord relink(String id) {
        return custom.relink(id);
    }

    /** Updates a custom model from a Model body ({@link CustomModels#update}). */
    public ModelRecord update(JsonNode model) {
        return custom.update(model);
    }

    /** Deletes a model and its files. Models of the current catalog cannot be deleted (FORBIDDEN). */
    public void delete(String model) {
        ModelRecord r;
        GroupCommit.Ticket ticket;
        synchronized (writeLock) {
            r = find(accepted, model);
            if (inCatalog(r.id())) {
                throw new ModeldException(ModeldException.Kind.FORBIDDEN, "model '" + r.spec().name()
                        + "' is part of the catalog and cannot be deleted", ModeldException.Hint.REMOVE_FILES, r.id());
            }
            ticket = stage(null, r);
        }
        commits.await(ticket);
        removeFiles(r.id());
    }

    /** Removes the model's downloaded files and keeps its entry. */
    public ModelRecord deleteCache(String model) {
        ModelRecord cleared;
        GroupCommit.Ticket ticket;
        synchronized (writeLock) {
            ModelRecord r = find(accepted, model);
            refuseInPlace(r, false);
            cleared = r.withFile(null);
            ticket = cleared.equals(r) ? commits.last() : stage(cleared, null);
        }
        commits.await(ticket);
        removeFiles(cleared.id());
        return cleared;
    }

    /**
     * Records a verified download (the file is already in {@code models/<id>/}) and fills the fields
     * the spec leaves out from the file when it is GGUF.
     */
    public ModelRecord markDownloaded(String id, ModelRecord.LocalFile file) {
        return markDownloaded(id, file, null);
    }

    /** The same, with the Modelfile a registry gave (template, system, parameters, license), when there was one. */
    public ModelRecord markDownloaded(String id, ModelRecord.LocalFile file, Modelfile modelfile) {
        ModelRecord r;
        GroupCommit.Ticket ticket;
        synchronized (writeLock) {
            r = find(accepted, id).withFile(file);
            if (modelfile != null) {
                r = r.withSpec(r.spec().withOllama(r.spec().ollama(), modelfile));
            }
            try {
                r = r.withSpec(GgufFacts.fill(r.spec(), filesOf(r)));
            } catch (GgufFormatException | IOException e) {
                LOG.info("model {}: its file is not GGUF ({}); nothing filled from it", id, e.getMessage());
            }
            ticket = stage(r, null);
        }
        commits.await(ticket);
        return r;
    }

    /** Tells the listeners that something about the model changed that is not stored (downloading, loaded). */
    public void announce(String id) {
        notify(new ModelChange(id, false));
    }

    private void notify(ModelChange change) {
        for (Consumer<ModelChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.warn("a model change listener failed", e);
            }
        }
    }

    /** Records why a download failed; the reason survives restarts until the next success. */
    public void markFailed(String id, String reason) {
        GroupCommit.Ticket ticket = null;
        synchronized (writeLock) {
            ModelRecord r = accepted.byId().get(id);
            if (r != null) {
                ticket = stage(r.withFailure(reason), null);
            }
        }
        commits.await(ticket);
    }

    /**
     * Removes the files after the store no longer points at them: a crash in between leaves a folder
     * that the next start removes, never a downloaded model without its file.
     */
    void removeFiles(String id) {
        LocalFiles.remove(dataDir, id);
    }

    /** Accepts one upsert or one deletion and queues it for the store. Under the write lock. */
    GroupCommit.Ticket stage(ModelRecord upsert, ModelRecord deletion) {
        accepted = accepted.with(upsert, deletion);
        return commits.stage(upsert, deletion, accepted);
    }

    /** Called by {@link GroupCommit} once changes are in the store, in the order they were accepted. */
    private void publish(ModelSnapshot state, List<ModelChange> changes) {
        snapshot = state;
        changes.forEach(this::notify);
    }
}
