package io.modeld.api;

import static io.modeld.api.ModelsApiTest.seeded;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.testing.TestDaemon;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentifierStreamTest {

    @TempDir
    Path dataDir;

    /** Collects whole text frames of a real WebSocket into a queue. */
    static final class Frames implements WebSocket.Listener {
        final BlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    queue.add(Json.MAPPER.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        JsonNode next() throws InterruptedException {
            JsonNode frame = queue.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a frame within 10 s").isNotNull();
            return frame;
        }
    }

    @Test
    void announces_every_model_on_connect_then_each_change() throws Exception {
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            Frames frames = new Frames();
            WebSocket ws = TestDaemon.client().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + daemon.port() + "/models/stream/identifiers"), frames)
                    .get(5, TimeUnit.SECONDS);

            JsonNode first = frames.next();
            assertThat(first.get("iterable")).hasSize(12);
            assertThat(first.get("iterable").get(0).get("model").get("id").asText()).matches("[0-9a-f-]{36}");

            ObjectNode created = (ObjectNode) ok(daemon.post("/models/create", seeded("Streamed")));
            String id = created.get("id").asText();
            JsonNode onCreate = frames.next();
            assertThat(onCreate.get("iterable")).hasSize(1);
            assertThat(onCreate.get("iterable").get(0).get("model").get("id").asText()).isEqualTo(id);
            assertThat(onCreate.get("iterable").get(0).has("deleted")).isFalse();

            created.put("name", "Streamed again");
            ok(daemon.post("/model/update", created));
            assertThat(frames.next().get("iterable").get(0).get("model").get("id").asText()).isEqualTo(id);

            assertThat(daemon.post("/models/" + id + "/delete", (String) null).statusCode()).isEqualTo(204);
            JsonNode onDelete = frames.next();
            assertThat(onDelete.get("iterable").get(0).get("model").get("id").asText()).isEqualTo(id);
            assertThat(onDelete.get("iterable").get(0).get("deleted").asBoolean()).isTrue();
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
    }
}
