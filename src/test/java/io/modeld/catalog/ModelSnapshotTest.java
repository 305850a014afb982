package io.modeld.catalog;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A snapshot is what readers see without a lock: nobody may change it in place. */
class ModelSnapshotTest {

    @Test
    void a_snapshot_cannot_be_changed_through_its_maps_or_lists() {
        ModelRecord r = new ModelRecord("7f1c9a52-3b1e-4c5e-9d1a-2b7b8f0e4a12", Instant.EPOCH, true,
                ModelSpec.defaults().withName("A").withUnique("a"), null, null);
        ModelSnapshot s = ModelSnapshot.of(List.of(r), Set.of());
        assertThatThrownBy(() -> s.byId().put("x", r)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.byUnique().remove("a")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.ordered().add(r)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.catalogIds().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
