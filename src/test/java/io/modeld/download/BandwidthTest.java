package io.modeld.download;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.config.Config;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --max-bandwidth over all downloads, and a change while one runs. The cap is checked from below (a
 * capped download can never be faster, however fast the machine) and loosely from above; its accuracy
 * (±5% over 10 s) is measured by bench/download.sh, not asserted here.
 */
class BandwidthTest {

    @TempDir
    Path tmp;

    @Test
    void a_100_mb_download_at_20_mb_per_second_takes_5_seconds() throws Exception {
        byte[] data = FileServer.content(100_000_000, 1);
        try (FileServer files = FileServer.start().serve("/big.gguf", data);
             TestDaemon d = TestDaemon.start(Config.forDataDir(tmp.resolve("d")).toBuilder().maxBandwidth(20_000_000).build())) {
            assertThat(ok(d.get("/downloads/bandwidth")).get("bytesPerSecond").asLong()).isEqualTo(20_000_000);
            String id = Downloading.createModel(d, "big", files.uri("/big.gguf").toString(), FileServer.sha256(data), null);
            try (ProgressFrames frames = ProgressFrames.open(d, id)) {
                long t0 = System.nanoTime();
                ok(d.post("/model/" + id + "/download", ""));
                JsonNode m = Downloading.awaitTerminal(d, id, frames);
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(m.get("downloaded").asBoolean()).isTrue();
                assertThat(seconds).as("100 MB at 20 MB/s").isBetween(4.5, 8.0);
            }
        }
    }

    @Test
    void a_cap_changed_while_a_download_runs_takes_effect_at_once() throws Exception {
        byte[] data = FileServer.content(40_000_000, 2);
        try (FileServer files = FileServer.start().serve("/m.gguf", data);
             TestDaemon d = TestDaemon.start(Config.forDataDir(tmp.resolve("d")).toBuilder().maxBandwidth(4_000_000).build())) {
            String id = Downloading.createModel(d, "m", files.uri("/m.gguf").toString(), FileServer.sha256(data), null);
            try (ProgressFrames frames = ProgressFrames.open(d, id)) {
                ok(d.post("/model/" + id + "/download", ""));
                await().atMost(Duration.ofSeconds(20)).until(() -> frames.last() != null
                        && frames.last().path("bytes").path("downloaded").asLong() > 4_000_000);
                JsonNode set = ok(d.send(java.net.http.HttpRequest.newBuilder(d.uri("/downloads/bandwidth"))
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"bytesPerSecond\": \"40MB/s\"}")).build()));
                assertThat(set.get("bytesPerSecond").asLong()).isEqualTo(40_000_000);
                long changed = System.nanoTime();
                Downloading.awaitTerminal(d, id, frames);
                double after = (System.nanoTime() - changed) / 1e9;
                // The 36 MB left would take 9 s at the old cap; at the new one, about one.
                assertThat(after).isLessThan(5.0);
                assertThat(frames.last().get("status").asText()).isEqualTo("COMPLETED");
            }
            assertThat(d.send(java.net.http.HttpRequest.newBuilder(d.uri("/downloads/bandwidth"))
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"bytesPerSecond\": \"lots\"}")).build())
                    .statusCode()).isEqualTo(400);
        }
    }
}
