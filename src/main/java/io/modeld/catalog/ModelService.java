package io.modeld.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import io.modeld.config.DataDir;
import io.modeld.gguf.GgufFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
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
    private final Clock clock;
    private final DataDir dataDir;
    private final List<Consumer<ModelChange>> listeners = new CopyOnWriteArrayList<>();
    private final Object writeLock = new Object();
    private final GroupCommit commits;
    /** What readers see: only changes that are in the store. */
    private volatile ModelSnapshot snapshot = ModelSnapshot.of(List.of(), Set.of());
    /** What writers check against, under the write lock: every accepted change, written or not yet. */
    private ModelSnapshot accepted = snapshot;
    /** The models found in library roots: not stored, replaced as a whole by each scan. */
    private volatile ModelSnapshot library = ModelSnapshot.of(List.of(), Set.of());
    private final Object libraryLock = new Object();
    /** The last list handed out, kept while neither part changes. */
    private volatile Listing listing;

    private record Listing(ModelSnapshot stored, ModelSnapshot library, List<ModelRecord> all) {
    }

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
        List<ModelChange> changes = new ArrayList<>();
        synchronized (libraryLock) {
            ModelSnapshot old = library;
            ModelSnapshot now = ModelSnapshot.of(found, Set.of());
            for (ModelRecord r : now.ordered()) {
                if (!r.equals(old.byId().get(r.id()))) {
                    changes.add(new ModelChange(r.id(), false));
                }
            }
            for (String id : old.byId().keySet()) {
                if (!now.byId().containsKey(id)) {
                    changes.add(new ModelChange(id, true));
                }
            }
            library = now;
        }
        changes.forEach(this::notify);
    }

    /**
     * Refuses to change a model found in a library root (FORBIDDEN, naming the root and how its owner
     * removes it), and to remove the file of a model registered in place. {@code forget}: the change is
     * a delete, which forgets a registered file (and keeps it).
     */
    public void refuseInPlace(ModelRecord r, boolean forget) {
        ModelRecord.InPlace p = r.inPlace();
        if (p == null || (forget && p.isLink())) {
            return;
        }
        String name = r.spec().name();
        if (p.isLink()) {
            throw ModeldException.forbidden("model '" + name + "' uses " + p.files().get(0) + " in place and modeld "
                    + "never deletes it; delete the model to forget it, and the file yourself");
        }
        throw ModeldException.forbidden("model '" + name + "' is in " + p.owner() + " (" + p.rootDir()
                + ") and is used in place: modeld never changes or deletes files there; remove it with the tool "
                + "that owns it (" + p.removal() + ")");
    }

    /** A stored model, for a change: one found in a library root is refused with FORBIDDEN. Under the write lock. */
    private ModelRecord find(ModelSnapshot s, String model) {
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

    /**
     * Creates a downloaded custom model whose files are {@code sources} (one, or the parts of a split model
     * in order), linked into {@code models/<id>/} (hard links: no second copy on disk; a copy only where the
     * file system cannot link), answering to the Ollama name in {@code spec}. A custom model that had that
     * name is replaced; a catalog model's name cannot be taken (FORBIDDEN). The facts the files hold fill
     * the spec's gaps; files that are not a GGUF model are refused (INVALID).
     */
    public ModelRecord createFromFile(ModelSpec spec, List<Path> sources, ModelRecord.LocalFile given) {
        String id = UUID.randomUUID().toString();
        Path dir = dataDir.model(id);
        List<Path> targets = new ArrayList<>();
        ModelRecord.LocalFile file = partsNamed(given, sources.size());
        for (int i = 0; i < sources.size(); i++) {
            targets.add(dir.resolve(sources.size() == 1 ? file.name() : LocalFiles.partName(file.name(), i + 1,
                    sources.size())));
        }
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < sources.size(); i++) {
                try {
                    Files.createLink(targets.get(i), sources.get(i));
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(sources.get(i), targets.get(i));
                }
            }
        } catch (IOException e) {
            removeFiles(id);
            throw new ModelStore.StoreException("cannot place the model file: " + e.getMessage(), e);
        }
        ModelRecord created;
        ModelRecord replaced = null;
        GroupCommit.Ticket ticket;
        try {
            ModelSpec filled;
            try {
                filled = GgufFacts.fill(spec, targets);
            } catch (GgufFormatException | IOException e) {
                throw ModeldException.invalid("the file is not a usable GGUF model: " + e.getMessage());
            }
            synchronized (writeLock) {
                for (ModelRecord r : accepted.byId().values()) {
                    if (OllamaNames.of(r).equalsIgnoreCase(OllamaNames.withTag(spec.ollama()))) {
                        if (!r.custom() || inCatalog(r.id())) {
                            throw ModeldException.forbidden("'" + spec.ollama() + "' is the name of a catalog model; "
                                    + "choose another name");
                        }
                        replaced = r;
                    }
                }
                if (filled.unique() != null) {
                    ModelRecord holder = accepted.byUnique().get(filled.unique());
                    if (holder != null && holder != replaced) {
                        filled = filled.withUnique(null);
                    }
                }
                created = new ModelRecord(id, clock.instant(), true, filled, file, null);
                ticket = stage(created, replaced);
            }
            commits.await(ticket);
        } catch (RuntimeException e) {
            removeFiles(id);
            throw e;
        }
        if (replaced != null) {
            removeFiles(replaced.id());
        }
        return created;
    }

    /** {@code file} named and counted as a model of {@code parts} files kept in the store. */
    private static ModelRecord.LocalFile partsNamed(ModelRecord.LocalFile file, int parts) {
        String name = parts == 1 ? file.name() : LocalFiles.partName(file.name(), 1, parts);
        return new ModelRecord.LocalFile(name, file.size(), file.sha256(), file.origin(), parts);
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

    /** Whether the model is offered by the current catalog (and so cannot be deleted or updated). */
    public boolean inCatalog(String id) {
        return snapshot.catalogIds().contains(id);
    }

    /**
     * Creates a custom model from a SeededModel. One that matches an existing custom model (same unique
     * name, or same name and source) returns that model and changes nothing.
     */
    public ModelRecord create(JsonNode seeded) {
        ModelSpec parsed = SpecParser.apply(seeded, ModelSpec.defaults());
        if (parsed.name() == null) {
            throw ModeldException.invalid("name: required");
        }
        ModelSpec spec = LocalSource.withFacts(parsed);
        ModelRecord result = null;
        GroupCommit.Ticket ticket;
        synchronized (writeLock) {
            for (ModelRecord r : accepted.byId().values()) {
                if (r.custom() && sameModel(r.spec(), spec)) {
                    result = r;
                }
            }
            if (result == null) {
                checkUniqueFree(spec.unique(), null);
                result = new ModelRecord(UUID.randomUUID().toString(), clock.instant(), true, spec,
                        LocalSource.linkedFile(spec), null, ModelRecord.InPlace.of(spec));
                ticket = stage(result, null);
            } else {
                ticket = commits.last();
            }
        }
        commits.await(ticket);
        return result;
    }

    /**
     * The model a pull of an Ollama name that no model answers to makes: a custom model named so, whose
     * source is that name in its registry ({@code url}, an {@code ollama://} reference). A model already
     * made for that source is returned as it is.
     */
    public ModelRecord createForPull(String ollamaName, String url) {
        ModelSource source = ModelSource.of(url, null);
        ModelRecord result = null;
        GroupCommit.Ticket ticket;
        synchronized (writeLock) {
            for (ModelRecord r : accepted.byId().values()) {
                if (r.custom() && source.sameAs(r.spec().source())) {
                    result = r;
                }
            }
            if (result == null) {
                ModelSpec spec = ModelSpec.defaults().withName(ollamaName).withOllama(ollamaName, null).withSource(source);
                result = new ModelRecord(UUID.randomUUID().toString(), clock.instant(), true, spec, null, null);
                ticket = stage(result, null);
            } else {
                ticket = commits.last();
            }
        }
        commits.await(ticket);
        return result;
    }

    /**
     * Records that a model registered in place has its file (again), read anew: what a download of such
     * a model does instead of copying. INVALID when the file is missing or not GGUF.
     */
    public ModelRecord relink(String id) {
        ModelRecord r;
        GroupCommit.Ticket ticket;
        synchronized (writeLock) {
            ModelRecord existing = find(accepted, id);
            ModelSpec spec = LocalSource.withFacts(existing.spec());
            r = new ModelRecord(existing.id(), existing.created(), existing.custom(), spec, LocalSource.linkedFile(spec), null,
                    existing.inPlace());
            ticket = stage(r, null);
        }
        commits.await(ticket);
        return r;
    }

    private static boolean sameModel(ModelSpec a, ModelSpec b) {
        if (b.unique() != null) {
            return b.unique().equals(a.unique());
        }
        return a.name().equals(b.name()) && b.source() != null && b.source().sameAs(a.source());
    }

    /**
     * Updates a custom model from a Model body: the fields present replace the stored ones, except
     * {@code id}, {@code created}, {@code custom} and the runtime flags, which no update changes.
     */
    public ModelRecord update(JsonNode model) {
        if (model == null || !model.isObject()) {
            throw ModeldException.invalid("body: must be a Model JSON object");
        }
        JsonNode id = model.get("id");
        if (id == null || !id.isTextual()) {
            throw ModeldException.invalid("id: required, the id of the model to update");
        }
        ModelRecord updated;
        GroupCommit.Ticket ticket;
        synchronized (writeLock) {
            ModelRecord existing = find(accepted, id.textValue());
            if (!existing.custom()) {
                throw ModeldException.forbidden("model '" + existing.spec().name()
                        + "' comes from the catalog and cannot be updated; create a custom model instead");
            }
            ModelSpec spec = SpecParser.apply(model, existing.spec());
            boolean sameSource = spec.source() == null ? existing.spec().source() == null
                    : spec.source().sameAs(existing.spec().source());
            if (!sameSource) {
                spec = LocalSource.withFacts(spec);
            }
            checkUniqueFree(spec.unique(), existing.id());
            if (existing.downloaded() && !sameSource) {
                throw new ModeldException(ModeldException.Kind.CONFLICT, "source: cannot change while the model "
                        + "is downloaded", ModeldException.Hint.REMOVE_FILES, existing.id());
            }
            updated = existing.withSpec(spec);
            ticket = updated.equals(existing) ? commits.last() : stage(updated, null);
        }
        commits.await(ticket);
        return updated;
    }

    private void checkUniqueFree(String unique, String exceptId) {
        if (unique == null) {
            return;
        }
        ModelRecord holder = accepted.byUnique().get(unique);
        if (holder != null && !holder.id().equals(exceptId)) {
            throw ModeldException.conflict("unique: '" + unique + "' is already the name of model " + holder.id());
        }
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
    private void removeFiles(String id) {
        try {
            DataDir.deleteTree(dataDir.model(id));
        } catch (IOException e) {
            LOG.warn("cannot remove the files of model {} ({}); the next start removes them", id, e.getMessage());
        }
    }

    /** Accepts one upsert or one deletion and queues it for the store. Under the write lock. */
    private GroupCommit.Ticket stage(ModelRecord upsert, ModelRecord deletion) {
        accepted = accepted.with(upsert, deletion);
        return commits.stage(upsert, deletion, accepted);
    }

    /** Called by {@link GroupCommit} once changes are in the store, in the order they were accepted. */
    private void publish(ModelSnapshot state, List<ModelChange> changes) {
        snapshot = state;
        changes.forEach(this::notify);
    }
}
