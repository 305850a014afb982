package io.modeld.fault;

import static io.modeld.testing.Downloading.WAIT;
import static io.modeld.testing.Downloading.awaitTerminal;
import static io.modeld.testing.Downloading.createModel;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modeld.config.Config;
import io.modeld.testing.FileServer;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up in the middle of a download: the data dir is a 12 MiB tmpfs, which needs root
 * to mount; elsewhere the test is skipped with a notice.
 */
class FullDiskTest {

    @TempDir
    Path tmp;
    Path dataDir;

    @BeforeEach
    void mount() throws Exception {
        dataDir = tmp.resolve("small-disk");
        Files.createDirectories(dataDir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", dataDir.toString())
                .redirectErrorStream(true).start();
        boolean mounted = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!mounted) {
            System.out.println("NOTICE: FullDiskTest skipped: cannot mount a tmpfs here (needs root): "
                    + new String(p.getInputStream().readAllBytes()).strip());
        }
        assumeTrue(mounted, "mounting a tmpfs needs root");
    }

    @AfterEach
    void unmount() throws Exception {
        new ProcessBuilder("umount", "-l", dataDir.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void a_disk_that_fills_up_fails_the_download_clearly_and_keeps_the_daemon_and_other_models() throws Exception {
        byte[] small = FileServer.content(1 << 20, 1);
        byte[] big = FileServer.content(8 << 20, 2);
        Config config = Config.forDataDir(dataDir).withDownloads(2, 4, true, Duration.ofSeconds(30));
        try (FileServer files = FileServer.start().serve("/small.gguf", small).serve("/big.gguf", big);
             TestDaemon daemon = TestDaemon.start(config)) {
            String smallId = createModel(daemon, "small", files.uri("/small.gguf").toString(),
                    FileServer.sha256(small), null);
            try (ProgressFrames frames = ProgressFrames.open(daemon, smallId)) {
                daemon.post("/model/" + smallId + "/download", "");
                assertThat(awaitTerminal(daemon, smallId, frames).get("downloaded").asBoolean()).isTrue();
            }

            String bigId = createModel(daemon, "big", files.uri("/big.gguf").toString(), FileServer.sha256(big), null);
            files.capPerConnection(512 << 10);
            try (ProgressFrames frames = ProgressFrames.open(daemon, bigId)) {
                daemon.post("/model/" + bigId + "/download", "");
                await().atMost(WAIT).until(() -> frames.last() != null
                        && frames.last().get("bytes").get("downloaded").asLong() > 0);
                // Something else takes the space the download was counting on.
                Path filler = dataDir.resolve("filler");
                try (var out = Files.newOutputStream(filler)) {
                    byte[] block = new byte[64 << 10];
                    for (int i = 0; i < 6 * 16; i++) {
                        out.write(block);
                    }
                } catch (java.io.IOException full) {
                    // The filler may itself hit the limit; either way the disk is now full.
                }
                awaitTerminal(daemon, bigId, frames);
                assertThat(frames.last().get("status").asText()).isEqualTo("FAILED");
                assertThat(frames.last().get("error").asText()).contains("disk is full");
                Files.deleteIfExists(filler);
            }
            assertThat(daemon.get("/.well-known/health").body()).isEqualTo("ok");
            assertThat(ok(daemon.get("/model/" + bigId)).get("downloaded").asBoolean()).isFalse();
            assertThat(ok(daemon.get("/model/" + smallId)).get("downloaded").asBoolean()).isTrue();
            assertThat(Files.readAllBytes(dataDir.resolve("models").resolve(smallId).resolve("small.gguf")))
                    .isEqualTo(small);
            assertThat(dataDir.resolve("partial").resolve(bigId)).doesNotExist();
        }
    }

    @Test
    void a_write_to_the_store_on_a_full_disk_is_507_and_changes_nothing() throws Exception {
        try (TestDaemon daemon = TestDaemon.start(Config.forDataDir(dataDir))) {
            int before = ok(daemon.get("/models")).get("iterable").size();
            Path filler = dataDir.resolve("filler");
            try (var out = Files.newOutputStream(filler)) {
                byte[] block = new byte[64 << 10];
                while (true) {
                    out.write(block);
                }
            } catch (java.io.IOException full) {
                // The disk is full now.
            }
            String description = "x".repeat(16_000);
            int status = 0;
            String body = "";
            String refused = null;
            // SQLite's WAL may still have a free page or two: a few writes use them up.
            for (int i = 0; i < 50 && status != 507; i++) {
                refused = "m" + i;
                var r = daemon.post("/models/create", "{\"name\": \"" + refused + "\", \"description\": \"" + description + "\"}");
                status = r.statusCode();
                body = r.body();
            }
            assertThat(status).as(body).isEqualTo(507);
            assertThat(body).contains("disk under the data dir is full").doesNotContain("bug");
            Files.delete(filler);
            assertThat(daemon.post("/models/create", "{\"name\": \"after\"}").statusCode())
                    .as("with space again, writes work again").isEqualTo(200);
            var models = ok(daemon.get("/models")).get("iterable");
            assertThat(daemon.get("/.well-known/health").body()).isEqualTo("ok");
            for (var m : models) {
                assertThat(m.get("name").asText()).as("the refused write is not there").isNotEqualTo(refused);
            }
            assertThat(models.size()).isGreaterThanOrEqualTo(before);
        }
    }
}
