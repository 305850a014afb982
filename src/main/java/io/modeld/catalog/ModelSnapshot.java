package io.modeld.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** All models in list order, by id and by unique name, and the ids the current catalog offers. Immutable. */
record ModelSnapshot(List<ModelRecord> ordered, Map<String, ModelRecord> byId,
                     Map<String, ModelRecord> byUnique, Set<String> catalogIds) {

    static ModelSnapshot of(List<ModelRecord> ordered, Set<String> catalogIds) {
        Map<String, ModelRecord> byId = new LinkedHashMap<>();
        Map<String, ModelRecord> byUnique = new LinkedHashMap<>();
        for (ModelRecord r : ordered) {
            byId.put(r.id(), r);
            if (r.spec().unique() != null) {
                byUnique.put(r.spec().unique(), r);
            }
        }
        return new ModelSnapshot(List.copyOf(ordered), Collections.unmodifiableMap(byId),
                Collections.unmodifiableMap(byUnique), Set.copyOf(catalogIds));
    }

    ModelRecord withId(String id) {
        return byId.get(id);
    }

    /** The model with this id, else with this unique name, else null. */
    ModelRecord find(String model) {
        ModelRecord r = byId.get(model);
        return r != null ? r : byUnique.get(model);
    }

    /** This snapshot with {@code upsert} put in place (or added at the end) and {@code deletion} removed. */
    ModelSnapshot with(ModelRecord upsert, ModelRecord deletion) {
        List<ModelRecord> all = new ArrayList<>(ordered);
        if (deletion != null) {
            all.removeIf(r -> r.id().equals(deletion.id()));
        }
        if (upsert != null) {
            int at = -1;
            for (int i = 0; i < all.size() && at < 0; i++) {
                if (all.get(i).id().equals(upsert.id())) {
                    at = i;
                }
            }
            if (at >= 0) {
                all.set(at, upsert);
            } else {
                all.add(upsert);
            }
        }
        return of(all, catalogIds);
    }

    /** What changed from this snapshot to {@code now}: each model added or changed, then each gone. */
    java.util.List<ModelChange> changesTo(ModelSnapshot now) {
        java.util.List<ModelChange> changes = new java.util.ArrayList<>();
        for (ModelRecord r : now.ordered()) {
            if (!r.equals(byId().get(r.id()))) {
                changes.add(new ModelChange(r.id(), false));
            }
        }
        for (String id : byId().keySet()) {
            if (!now.byId().containsKey(id)) {
                changes.add(new ModelChange(id, true));
            }
        }
        return changes;
    }
}
