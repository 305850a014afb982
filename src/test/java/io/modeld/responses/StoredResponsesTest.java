package io.modeld.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored responses in the real SQLite file: kept, read, deleted, and the oldest trimmed by count and by size. */
class StoredResponsesTest {

    @TempDir
    Path dir;

    private static ObjectNode response(String id, int chars) {
        return Json.MAPPER.createObjectNode().put("id", id).put("text", "x".repeat(chars));
    }

    @Test
    void the_oldest_go_first_past_the_count_or_the_size() throws Exception {
        try (ModelStore store = ModelStore.open(dir);
             StoredResponses kept = new StoredResponses(ModelStore.connect(dir), 3, 2_000)) {
            ArrayNode input = Json.MAPPER.createArrayNode();
            for (int i = 0; i < 4; i++) {
                kept.put(input, response("resp_" + i, 10));
                Thread.sleep(2);   // one created stamp each
            }
            assertThatThrownBy(() -> kept.get("resp_0")).isInstanceOf(ModeldException.class)
                    .hasMessageContaining("no stored response");
            assertThat(kept.get("resp_3").response().get("text").asText()).hasSize(10);
            // 1,990 characters: with it, the next newest would pass 2,000 in all, though the count has room for it
            kept.put(input, response("resp_big", 1_950));
            assertThat(kept.get("resp_big")).isNotNull();
            assertThatThrownBy(() -> kept.get("resp_3")).as("trimmed by size").isInstanceOf(ModeldException.class);
            kept.delete("resp_big");
            assertThatThrownBy(() -> kept.delete("resp_big")).isInstanceOf(ModeldException.class);
            assertThat(store.migration()).isGreaterThanOrEqualTo(7);
        }
    }
}
