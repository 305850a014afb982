package io.modeld.fault;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.modeld.testing.DaemonProcess;
import io.modeld.testing.FileServer;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the daemon at 10 random moments of one download; each restart resumes it to a verified end. */
class KillDuringDownloadTest {

    @TempDir
    Path dataDir;

    @Test
    void a_download_killed_ten_times_still_completes_with_the_right_sha256() throws Exception {
        int size = 32 << 20;
        byte[] data = FileServer.content(size, 31);
        Random random = new Random(31);
        try (FileServer files = FileServer.start().serve("/m.gguf", data).capPerConnection(1 << 20)) {
            String id = null;
            for (int kill = 0; kill < 10; kill++) {
                try (DaemonProcess daemon = DaemonProcess.start(dataDir, "--connections", "4")) {
                    if (id == null) {
                        id = ok(daemon.post("/models/create", "{\"name\": \"killed\", \"source\": {\"url\": \""
                                + files.uri("/m.gguf") + "\", \"sha256\": \"" + FileServer.sha256(data) + "\"}}"))
                                .get("id").asText();
                        daemon.post("/model/" + id + "/download", null);
                    }
                    Thread.sleep(300 + random.nextInt(900));
                } // closing it is a SIGKILL
            }
            files.capPerConnection(0);
            try (TestDaemon last = TestDaemon.start(dataDir); ProgressFrames frames = ProgressFrames.open(last, id)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> frames.last() != null
                        && List.of("COMPLETED", "FAILED").contains(frames.last().get("status").asText()));
                assertThat(frames.last().get("status").asText()).as(frames.frames().toString()).isEqualTo("COMPLETED");
                assertThat(ok(last.get("/model/" + id)).get("downloaded").asBoolean()).isTrue();
            }
            assertThat(FileServer.sha256(Files.readAllBytes(dataDir.resolve("models").resolve(id).resolve("m.gguf"))))
                    .isEqualTo(FileServer.sha256(data));
            assertThat(dataDir.resolve("partial").resolve(id)).doesNotExist();
            assertThat(files.bytesSent()).as("bytes sent over 11 daemons").isLessThan(2L * size);
        }
    }
}
