package io.modeld.api;

import static io.modeld.testing.Catalogs.LISTED;
import static io.modeld.testing.Requests.seeded;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentifierStreamTest {

    @TempDir
    Path dataDir;

    private static JsonNode frame(ProgressFrames frames, int index) {
        await().atMost(Duration.ofSeconds(10)).until(() -> frames.frames().size() > index);
        return frames.frames().get(index);
    }

    @Test
    void announces_every_model_on_connect_then_each_change() throws Exception {
        try (TestDaemon daemon = TestDaemon.start(dataDir); ProgressFrames frames = ProgressFrames.identifiers(daemon)) {
            JsonNode first = frame(frames, 0);
            assertThat(first.get("iterable")).as("the catalog and the Copilot alias").hasSize(LISTED);
            assertThat(first.get("iterable").get(0).get("model").get("id").asText()).matches("[0-9a-f-]{36}");

            ObjectNode created = (ObjectNode) ok(daemon.post("/models/create", seeded("Streamed")));
            String id = created.get("id").asText();
            JsonNode onCreate = frame(frames, 1);
            assertThat(onCreate.get("iterable")).hasSize(1);
            assertThat(onCreate.get("iterable").get(0).get("model").get("id").asText()).isEqualTo(id);
            assertThat(onCreate.get("iterable").get(0).has("deleted")).isFalse();

            created.put("name", "Streamed again");
            ok(daemon.post("/model/update", created));
            assertThat(frame(frames, 2).get("iterable").get(0).get("model").get("id").asText()).isEqualTo(id);

            assertThat(daemon.post("/models/" + id + "/delete", (String) null).statusCode()).isEqualTo(204);
            JsonNode onDelete = frame(frames, 3);
            assertThat(onDelete.get("iterable").get(0).get("model").get("id").asText()).isEqualTo(id);
            assertThat(onDelete.get("iterable").get(0).get("deleted").asBoolean()).isTrue();
        }
    }
}
