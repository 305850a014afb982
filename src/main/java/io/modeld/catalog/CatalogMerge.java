package io.modeld.catalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalog merged into the stored models at startup: new entries added, changed ones updated (same
 * id, same {@code created}), custom models and every model's state kept. A catalog model that the
 * catalog no longer offers stays while its file is on disk (it becomes deletable), and goes when it has
 * none; one whose unique name a custom model took is not offered. The order: catalog models in catalog
 * order, then the others by creation time.
 */
final class CatalogMerge {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CatalogMerge.class);

    /** What to write and delete, everything in order, and which ids the catalog offers. */
    record Result(List<ModelRecord> upserts, List<String> deletions, List<ModelRecord> all, Set<String> catalogIds) {
    }

    private CatalogMerge() {
    }

    /**
     * @param original the models as stored
     * @param checked those of them whose files changed since (gone, another size), as they are now
     */
    static Result merge(List<ModelRecord> original, List<ModelRecord> checked, List<ModelSpec> catalog, Instant now) {
        Map<String, ModelRecord> before = new LinkedHashMap<>();
        original.forEach(r -> before.put(r.id(), r));
        Map<String, ModelRecord> stored = new LinkedHashMap<>(before);
        checked.forEach(r -> stored.put(r.id(), r));
        List<ModelRecord> upserts = new ArrayList<>();
        List<String> deletions = new ArrayList<>();
        List<ModelRecord> ordered = new ArrayList<>();
        Set<String> catalogIds = new HashSet<>();
        for (ModelSpec spec : catalog) {
            String id = Catalog.idOf(spec.unique());
            ModelRecord existing = stored.remove(id);
            ModelRecord clash = stored.values().stream()
                    .filter(r -> spec.unique().equals(r.spec().unique())).findFirst().orElse(null);
            if (clash != null) {
                LOG.warn("catalog model '{}' not offered: custom model {} already uses that unique name",
                        spec.unique(), clash.id());
                continue;
            }
            ModelRecord merged = existing == null ? new ModelRecord(id, now, false, spec, null, null)
                    : existing.withSpec(spec);
            if (!merged.equals(before.get(id))) {
                upserts.add(merged);
            }
            ordered.add(merged);
            catalogIds.add(id);
        }
        List<ModelRecord> rest = new ArrayList<>();
        for (ModelRecord r : stored.values()) {
            if (!r.custom() && !r.downloaded()) {
                deletions.add(r.id());
            } else {
                rest.add(r);
                if (!r.equals(before.get(r.id()))) {
                    upserts.add(r);
                }
            }
        }
        rest.sort(Comparator.comparing(ModelRecord::created).thenComparing(ModelRecord::id));
        ordered.addAll(rest);
        return new Result(upserts, deletions, List.copyOf(ordered), Set.copyOf(catalogIds));
    }
}
