package io.modeld.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import io.modeld.gguf.GgufFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * What makes and edits custom models in the {@link ModelService}: creating one from a SeededModel, from files
 * on disk (Ollama's create and copy), for a pull by name; registering a file in place anew; updating one from
 * a Model. Each change is accepted under the service's write lock and waits for the store, as every write does.
 */
final class CustomModels {

    private final ModelService m;

    CustomModels(ModelService models) {
        this.m = models;
    }

    /**
     * Creates a downloaded custom model whose files are {@code sources} (one, or the parts of a split model
     * in order), linked into {@code models/<id>/} (hard links: no second copy on disk; a copy only where the
     * file system cannot link), answering to the Ollama name in {@code spec}. A custom model that had that
     * name is replaced; a catalog model's name cannot be taken (FORBIDDEN). The facts the files hold fill
     * the spec's gaps; files that are not a GGUF model are refused (INVALID).
     */
    ModelRecord createFromFile(ModelSpec spec, List<Path> sources, ModelRecord.LocalFile given, Path projector) {
        String id = UUID.randomUUID().toString();
        LocalFiles.Placed placed = LocalFiles.place(m.dataDir(), id, sources, given, projector);
        List<Path> targets = placed.targets();
        ModelRecord.LocalFile file = placed.file();
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
            String unpaired = projector == null ? null : io.modeld.gguf.ProjectorFacts.problem(
                    m.dataDir().model(id).resolve(LocalFiles.PROJECTOR), targets.get(0));
            if (unpaired != null) {
                throw ModeldException.invalid("projector: " + unpaired);
            }
            synchronized (m.writeLock) {
                for (ModelRecord r : m.accepted.byId().values()) {
                    if (OllamaNames.of(r).equalsIgnoreCase(OllamaNames.withTag(spec.ollama()))) {
                        if (!r.custom() || m.inCatalog(r.id())) {
                            throw ModeldException.forbidden("'" + spec.ollama() + "' is the name of a catalog model; "
                                    + "choose another name");
                        }
                        replaced = r;
                    }
                }
                if (filled.unique() != null) {
                    ModelRecord holder = m.accepted.byUnique().get(filled.unique());
                    if (holder != null && holder != replaced) {
                        filled = filled.withUnique(null);
                    }
                }
                created = new ModelRecord(id, m.clock.instant(), true, filled, file, null);
                ticket = m.stage(created, replaced);
            }
            m.commits.await(ticket);
        } catch (RuntimeException e) {
            m.removeFiles(id);
            throw e;
        }
        if (replaced != null) {
            m.removeFiles(replaced.id());
        }
        return created;
    }

    /**
     * Creates a custom model answered by a remote one ({@code spec.remote()}), answering to the Ollama name in
     * {@code spec}; a custom model that had that name is replaced (its files removed), a catalog model's name cannot
     * be taken (FORBIDDEN).
     */
    ModelRecord createRemote(ModelSpec spec) {
        if (spec.remote() == null) {
            throw new IllegalArgumentException("not a remote model");
        }
        ModelRecord created;
        ModelRecord replaced = null;
        GroupCommit.Ticket ticket;
        synchronized (m.writeLock) {
            for (ModelRecord r : m.accepted.byId().values()) {
                if (spec.ollama() != null && OllamaNames.of(r).equalsIgnoreCase(OllamaNames.withTag(spec.ollama()))) {
                    if (!r.custom() || m.inCatalog(r.id()) || r.inPlace() != null && !r.inPlace().isLink()) {
                        throw ModeldException.forbidden("'" + spec.ollama() + "' is the name of a catalog model or of "
                                + "one used in place; choose another name");
                    }
                    replaced = r;
                }
            }
            ModelSpec named = spec;
            if (named.unique() != null) {
                ModelRecord holder = m.accepted.byUnique().get(named.unique());
                if (holder != null && holder != replaced) {
                    named = named.withUnique(null);
                }
            }
            created = new ModelRecord(UUID.randomUUID().toString(), m.clock.instant(), true, named, null, null);
            ticket = m.stage(created, replaced);
        }
        m.commits.await(ticket);
        if (replaced != null) {
            m.removeFiles(replaced.id());
        }
        return created;
    }

    /**
     * Creates a custom model from a SeededModel. One that matches an existing custom model (same unique
     * name, or same name and source) returns that model and changes nothing.
     */
    ModelRecord create(JsonNode seeded) {
        ModelSpec parsed = SpecParser.apply(seeded, ModelSpec.defaults());
        if (parsed.name() == null) {
            throw ModeldException.invalid("name: required");
        }
        ModelSpec spec = LocalSource.withFacts(parsed);
        ModelRecord result = null;
        GroupCommit.Ticket ticket;
        synchronized (m.writeLock) {
            for (ModelRecord r : m.accepted.byId().values()) {
                if (r.custom() && sameModel(r.spec(), spec)) {
                    result = r;
                }
            }
            if (result == null) {
                checkUniqueFree(spec.unique(), null);
                result = new ModelRecord(UUID.randomUUID().toString(), m.clock.instant(), true, spec,
                        LocalSource.linkedFile(spec), null, ModelRecord.InPlace.of(spec));
                ticket = m.stage(result, null);
            } else {
                ticket = m.commits.last();
            }
        }
        m.commits.await(ticket);
        return result;
    }

    /**
     * The model a pull of an Ollama name that no model answers to makes: a custom model named so, whose
     * source is that name in its registry ({@code url}, an {@code ollama://} reference). A model already
     * made for that source is returned as it is.
     */
    ModelRecord createForPull(String ollamaName, String url) {
        ModelSource source = ModelSource.of(url, null);
        ModelRecord result = null;
        GroupCommit.Ticket ticket;
        synchronized (m.writeLock) {
            for (ModelRecord r : m.accepted.byId().values()) {
                if (r.custom() && source.sameAs(r.spec().source())) {
                    result = r;
                }
            }
            if (result == null) {
                ModelSpec spec = ModelSpec.defaults().withName(ollamaName).withOllama(ollamaName, null).withSource(source);
                result = new ModelRecord(UUID.randomUUID().toString(), m.clock.instant(), true, spec, null, null);
                ticket = m.stage(result, null);
            } else {
                ticket = m.commits.last();
            }
        }
        m.commits.await(ticket);
        return result;
    }

    /**
     * Records that a model registered in place has its file (again), read anew: what a download of such
     * a model does instead of copying. INVALID when the file is missing or not GGUF.
     */
    ModelRecord relink(String id) {
        ModelRecord r;
        GroupCommit.Ticket ticket;
        synchronized (m.writeLock) {
            ModelRecord existing = m.find(m.accepted, id);
            ModelSpec spec = LocalSource.withFacts(existing.spec());
            r = new ModelRecord(existing.id(), existing.created(), existing.custom(), spec, LocalSource.linkedFile(spec), null,
                    existing.inPlace());
            ticket = m.stage(r, null);
        }
        m.commits.await(ticket);
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
    ModelRecord update(JsonNode model) {
        if (model == null || !model.isObject()) {
            throw ModeldException.invalid("body: must be a Model JSON object");
        }
        JsonNode id = model.get("id");
        if (id == null || !id.isTextual()) {
            throw ModeldException.invalid("id: required, the id of the model to update");
        }
        ModelRecord updated;
        GroupCommit.Ticket ticket;
        synchronized (m.writeLock) {
            ModelRecord existing = m.find(m.accepted, id.textValue());
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
            ticket = updated.equals(existing) ? m.commits.last() : m.stage(updated, null);
        }
        m.commits.await(ticket);
        return updated;
    }

    private void checkUniqueFree(String unique, String exceptId) {
        if (unique == null) {
            return;
        }
        ModelRecord holder = m.accepted.byUnique().get(unique);
        if (holder != null && !holder.id().equals(exceptId)) {
            throw ModeldException.conflict("unique: '" + unique + "' is already the name of model " + holder.id());
        }
    }
}
