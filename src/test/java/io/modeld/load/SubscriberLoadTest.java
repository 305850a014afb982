package io.modeld.load;

import static io.modeld.testing.Downloading.WAIT;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.modeld.config.Config;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.Subscribers;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand progress subscribers on one download: every one of them gets the terminal frame. How
 * much they cost the download's throughput is measured by bench/subscribers.sh, not asserted here.
 */
class SubscriberLoadTest {

    static final int SUBSCRIBERS = 1000;
    static final int SIZE = 24 << 20;

    @TempDir
    Path dataDir;

    @Test
    void a_thousand_subscribers_all_see_the_download_to_its_terminal_frame() throws Exception {
        byte[] data = FileServer.content(SIZE, 7);
        HttpClient client = HttpClient.newHttpClient();
        try (FileServer files = FileServer.start().serve("/m.gguf", data).capPerConnection(2 << 20);
             TestDaemon daemon = TestDaemon.start(Config.forDataDir(dataDir)
                     .withDownloads(2, 4, true, Duration.ofSeconds(30)))) {
            String id = Downloading.createModel(daemon, "watched", files.uri("/m.gguf").toString(),
                    FileServer.sha256(data), SIZE);
            try (Subscribers subscribers = Subscribers.open(client, daemon.port(), id, SUBSCRIBERS)) {
                assertThat(subscribers.all()).allSatisfy(s -> assertThat(s.frames()).as("state on connect").isOne());
                long start = System.nanoTime();
                daemon.post("/model/" + id + "/download", "");
                await().atMost(WAIT).until(() -> subscribers.ended() == SUBSCRIBERS);
                Thread.sleep(300); // three progress ticks: time for a stale frame to arrive, if one would
                long last = subscribers.all().stream().mapToLong(Subscribers.One::terminalNanos).max().orElseThrow();
                assertThat(subscribers.all()).allSatisfy(s -> {
                    assertThat(s.terminal()).isEqualTo("COMPLETED");
                    assertThat(s.inProgress()).as("live progress frames").isPositive();
                    assertThat(s.afterTerminal()).as("frames after the terminal one").isZero();
                    // The fan-out budget (2,000 frames/s per download) spaces 1,000 subscribers' progress
                    // frames 500 ms apart; a slower machine only makes the bound looser.
                    long elapsedMs = (s.terminalNanos() - start) / 1_000_000;
                    assertThat(s.inProgress()).as("progress frames in " + elapsedMs + " ms")
                            .isLessThanOrEqualTo((int) (elapsedMs / 500) + 2);
                });
                System.out.printf("SubscriberLoadTest: %d subscribers, %d MiB in %d ms, %d frames in all%n",
                        SUBSCRIBERS, SIZE >> 20, (last - start) / 1_000_000,
                        subscribers.all().stream().mapToLong(Subscribers.One::frames).sum());
            }
            assertThat(ok(daemon.get("/model/" + id)).get("downloaded").asBoolean()).isTrue();
            assertThat(Files.readAllBytes(dataDir.resolve("models").resolve(id).resolve("m.gguf"))).isEqualTo(data);
            assertThat(daemon.get("/.well-known/health").body()).isEqualTo("ok");
        }
    }
}
