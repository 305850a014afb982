package io.modeld.download;

import static io.modeld.testing.Downloading.WAIT;
import static io.modeld.testing.Downloading.awaitTerminal;
import static io.modeld.testing.Downloading.createModel;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.modeld.config.Config;
import io.modeld.testing.DaemonProcess;
import io.modeld.testing.FileServer;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads interrupted by a kill, a shutdown or a changed file, then continued on the same data dir. */
class ResumeTest {

    @TempDir
    Path dataDir;

    private static long downloaded(ProgressFrames frames) {
        var last = frames.last();
        return last == null ? 0 : last.get("bytes").get("downloaded").asLong();
    }

    @Test
    void a_download_killed_with_sigkill_resumes_in_the_next_daemon_fetching_little_twice() throws Exception {
        int size = 64 << 20;
        byte[] data = FileServer.content(size, 7);
        try (FileServer files = FileServer.start().serve("/big.gguf", data).capPerConnection(2 << 20)) {
            String id;
            try (DaemonProcess first = DaemonProcess.start(dataDir)) {
                String body = "{\"name\": \"big\", \"source\": {\"url\": \"" + files.uri("/big.gguf") + "\", \"sha256\": \""
                        + FileServer.sha256(data) + "\"}, \"bytes\": {\"value\": " + size + "}}";
                id = ok(first.post("/models/create", body)).get("id").asText();
                try (ProgressFrames frames = ProgressFrames.open(first.port(), id)) {
                    first.post("/model/" + id + "/download", null);
                    await().atMost(WAIT).until(() -> downloaded(frames) > size / 2);
                }
            } // closing it is a SIGKILL: no shutdown hook, nothing flushed by us
            assertThat(dataDir.resolve("partial").resolve(id).resolve(ResumeState.FILE)).exists();

            try (TestDaemon second = TestDaemon.start(dataDir);
                 ProgressFrames frames = ProgressFrames.open(second, id)) {
                await().atMost(WAIT).until(() -> frames.last() != null
                        && List.of("COMPLETED", "FAILED").contains(frames.last().get("status").asText()));
                assertThat(frames.last().get("status").asText()).isEqualTo("COMPLETED");
                assertThat(ok(second.get("/model/" + id)).get("downloaded").asBoolean()).isTrue();
            }
            assertThat(Files.readAllBytes(dataDir.resolve("models").resolve(id).resolve("big.gguf"))).isEqualTo(data);
            assertThat(files.bytesSent()).as("bytes sent over both daemons").isLessThan((long) (size * 1.1));
        }
    }

    @Test
    void a_shutdown_keeps_the_partial_data_and_a_later_post_continues_from_it() throws Exception {
        int size = 16 << 20;
        byte[] data = FileServer.content(size, 8);
        Config config = Config.forDataDir(dataDir).withDownloads(2, 4, false, Duration.ofSeconds(30));
        try (FileServer files = FileServer.start().serve("/m.gguf", data).capPerConnection(1 << 20);
             TestDaemon daemon = TestDaemon.start(config)) {
            String id = createModel(daemon, "paused", files.uri("/m.gguf").toString(), FileServer.sha256(data), size);
            try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
                daemon.post("/model/" + id + "/download", "");
                await().atMost(WAIT).until(() -> downloaded(frames) > size / 3);
            }
            daemon.restart();
            assertThat(ok(daemon.get("/model/" + id)).get("downloading").asBoolean())
                    .as("with resume off, nothing starts by itself").isFalse();
            files.capPerConnection(0);
            try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
                daemon.post("/model/" + id + "/download", "");
                assertThat(awaitTerminal(daemon, id, frames).get("downloaded").asBoolean()).isTrue();
            }
            assertThat(files.bytesSent()).isLessThan((long) (size * 1.1));
        }
    }

    @Test
    void a_file_that_changed_size_on_the_server_fails_the_resume_with_the_reason() throws Exception {
        int size = 8 << 20;
        byte[] data = FileServer.content(size, 9);
        Config config = Config.forDataDir(dataDir).withDownloads(2, 4, false, Duration.ofSeconds(30));
        try (FileServer files = FileServer.start().serve("/m.gguf", data).capPerConnection(1 << 20);
             TestDaemon daemon = TestDaemon.start(config)) {
            String id = createModel(daemon, "resized", files.uri("/m.gguf").toString(), null, null);
            try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
                daemon.post("/model/" + id + "/download", "");
                await().atMost(WAIT).until(() -> downloaded(frames) > size / 4);
            }
            daemon.restart();
            files.serve("/m.gguf", FileServer.content(size + 4096, 9)).capPerConnection(0);
            try (ProgressFrames frames = ProgressFrames.open(daemon, id)) {
                daemon.post("/model/" + id + "/download", "");
                awaitTerminal(daemon, id, frames);
                assertThat(frames.last().get("status").asText()).isEqualTo("FAILED");
                assertThat(frames.last().get("error").asText()).contains("changed size").contains(String.valueOf(size));
            }
            assertThat(dataDir.resolve("partial").resolve(id)).doesNotExist();
        }
    }

    @Test
    void one_download_that_cannot_resume_fails_alone_and_the_others_resume() throws Exception {
        int size = 8 << 20;
        byte[] data = FileServer.content(size, 10);
        Config config = Config.forDataDir(dataDir).withDownloads(2, 4, true, Duration.ofSeconds(30));
        String good;
        String corrupt;
        String huge;
        try (FileServer files = FileServer.start().serve("/m.gguf", data).capPerConnection(1 << 20)) {
            try (TestDaemon daemon = TestDaemon.start(config)) {
                good = createModel(daemon, "good", files.uri("/m.gguf").toString(), FileServer.sha256(data), size);
                corrupt = createModel(daemon, "corrupt", files.uri("/m.gguf").toString(), null, null);
                huge = createModel(daemon, "huge", files.uri("/m.gguf").toString(), null, null);
                try (ProgressFrames frames = ProgressFrames.open(daemon, good)) {
                    daemon.post("/model/" + good + "/download", "");
                    await().atMost(WAIT).until(() -> downloaded(frames) > size / 4);
                }
                // No room on any disk: the resume of this one is refused before it starts (507).
                String update = "{\"id\": \"" + huge + "\", \"bytes\": {\"value\": 1000000000000000000}}";
                assertThat(daemon.post("/model/update", update).statusCode()).isEqualTo(200);
            }
            Path corruptDir = Files.createDirectories(dataDir.resolve("partial").resolve(corrupt));
            Files.writeString(corruptDir.resolve(ResumeState.FILE), "{\"url\": \"http://x\", \"size\": ");
            Path hugeDir = Files.createDirectories(dataDir.resolve("partial").resolve(huge));
            Files.writeString(hugeDir.resolve(ResumeState.FILE), "{\"url\": \"" + files.uri("/m.gguf")
                    + "\", \"size\": 1000000000000000000, \"ranges\": true, \"chunks\": []}");
            files.capPerConnection(0);

            try (TestDaemon daemon = TestDaemon.start(config);
                 ProgressFrames goodFrames = ProgressFrames.open(daemon, good)) {
                assertThat(awaitTerminal(daemon, good, goodFrames).get("downloaded").asBoolean()).isTrue();
                try (ProgressFrames frames = ProgressFrames.open(daemon, corrupt)) {
                    await().atMost(WAIT).until(() -> frames.last() != null);
                    assertThat(frames.last().get("status").asText()).isEqualTo("FAILED");
                    assertThat(frames.last().get("error").asText()).contains("could not be resumed").contains("unreadable");
                }
                try (ProgressFrames frames = ProgressFrames.open(daemon, huge)) {
                    await().atMost(WAIT).until(() -> frames.last() != null);
                    assertThat(frames.last().get("status").asText()).isEqualTo("FAILED");
                    assertThat(frames.last().get("error").asText()).contains("not enough disk space");
                }
                assertThat(corruptDir).doesNotExist();
            }
        }
    }
}
