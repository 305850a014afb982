package io.modeld.fault;

import static io.modeld.testing.Downloading.WAIT;
import static io.modeld.testing.Downloading.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.OneFileDownloads;
import io.modeld.testing.ProgressFrames;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * What a misbehaving file server does to a download: each fault ends in the state a user expects,
 * COMPLETED with the right bytes when the fault passes, FAILED with the reason when it cannot.
 */
class ServerFaultTest extends OneFileDownloads {

    @Test
    void a_corrupt_byte_fails_the_download_and_leaves_nothing_on_disk() throws Exception {
        files.corruptAt(SIZE / 2);
        String id = createModel("corrupt");
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            JsonNode model = awaitTerminal(daemon, id, frames);
            JsonNode last = frames.last();
            assertThat(last.get("status").asText()).isEqualTo("FAILED");
            assertThat(last.get("error").asText()).contains("expected " + FileServer.sha256(data)).contains(", got ");
            assertThat(model.get("downloaded").asBoolean()).isFalse();
        }
        assertThat(daemon.dataDir().resolve("partial").resolve(id)).doesNotExist();
        assertThat(daemon.dataDir().resolve("models").resolve(id)).doesNotExist();
        try (ProgressFrames again = ProgressFrames.open(daemon, id)) {
            await().atMost(WAIT).until(() -> again.last() != null);
            assertThat(again.last().get("status").asText()).isEqualTo("FAILED");
        }
    }

    @Test
    void dropped_connections_and_503s_are_retried_and_only_missing_bytes_fetched_again() throws Exception {
        files.dropAfter(300_000, 3).fail(503, 2);
        String id = createModel("flaky");
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            assertThat(awaitTerminal(daemon, id, frames).get("downloaded").asBoolean()).isTrue();
        }
        assertThat(Files.readAllBytes(finalFile(id))).isEqualTo(data);
        assertThat(files.bytesSent()).isLessThan(SIZE + SIZE / 5);
    }

    @Test
    void a_stalled_connection_is_reopened() throws Exception {
        files.stall(100_000, 4000, 1);
        String id = createModel("stalled");
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            assertThat(awaitTerminal(daemon, id, frames).get("downloaded").asBoolean()).isTrue();
        }
        assertThat(Files.readAllBytes(finalFile(id))).isEqualTo(data);
    }

    @Test
    void a_missing_file_fails_at_once_with_the_reason() throws Exception {
        String id = Downloading.createModel(daemon, "missing", files.uri("/nope.gguf").toString(), null, null);
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            awaitTerminal(daemon, id, frames);
            assertThat(frames.last().get("status").asText()).isEqualTo("FAILED");
            assertThat(frames.last().get("error").asText()).contains("404");
        }
        assertThat(files.requests()).hasSize(1);
    }

    @Test
    void a_storm_of_503s_at_the_start_is_waited_out() throws Exception {
        files.failFor(503, 3000);
        String id = createModel("storm-at-start");
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            JsonNode model = awaitTerminal(daemon, id, frames);
            assertThat(frames.last().get("status").asText()).as(frames.frames().toString()).isEqualTo("COMPLETED");
            assertThat(model.get("downloaded").asBoolean()).isTrue();
        }
        assertThat(files.stormFailures()).as("requests refused by the storm").isGreaterThan(1);
        assertThat(Files.readAllBytes(finalFile(id))).isEqualTo(data);
    }

    @Test
    void a_storm_of_503s_in_the_middle_is_waited_out_by_every_connection() throws Exception {
        files.capPerConnection(1 << 20);
        String id = createModel("storm-in-middle");
        try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
            daemon.post("/model/" + id + "/download", "");
            await().atMost(WAIT).until(() -> frames.last() != null
                    && frames.last().get("bytes").get("downloaded").asLong() > 0);
            files.failFor(503, 3000);
            JsonNode model = awaitTerminal(daemon, id, frames);
            assertThat(frames.last().get("status").asText()).as(frames.frames().toString()).isEqualTo("COMPLETED");
            assertThat(model.get("downloaded").asBoolean()).isTrue();
        }
        assertThat(files.stormFailures()).as("requests refused by the storm").isGreaterThan(1);
        assertThat(Files.readAllBytes(finalFile(id))).isEqualTo(data);
        assertThat(files.bytesSent()).isLessThan(SIZE + SIZE / 5);
    }
}
