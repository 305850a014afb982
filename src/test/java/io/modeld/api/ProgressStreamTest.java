package io.modeld.api;

import static io.modeld.testing.Downloading.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Subscribers that join while a download runs and ends: the stream never goes back after the end. */
class ProgressStreamTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();

    @Test
    void subscribers_joining_as_a_download_ends_never_get_a_frame_after_its_terminal_one() throws Exception {
        byte[] data = FileServer.content(4 << 20, 11);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (FileServer files = FileServer.start().serve("/m.gguf", data)) {
            for (int round = 0; round < 4; round++) {
                String id = Downloading.createModel(daemon, "race-" + round, files.uri("/m.gguf").toString(),
                        FileServer.sha256(data), data.length);
                List<Future<ProgressFrames>> joined = new ArrayList<>();
                try (ProgressFrames watcher = ProgressFrames.open(daemon, id)) {
                    daemon.post("/model/" + id + "/download", "");
                    for (int i = 0; i < 48; i++) {
                        joined.add(pool.submit(() -> ProgressFrames.open(daemon, id)));
                    }
                    awaitTerminal(daemon, id, watcher);
                }
                for (Future<ProgressFrames> f : joined) {
                    try (ProgressFrames frames = f.get()) {
                        awaitTerminal(daemon, id, frames);
                        List<String> statuses = frames.statuses();
                        int end = statuses.indexOf("COMPLETED");
                        assertThat(end).as(statuses.toString()).isGreaterThanOrEqualTo(0);
                        assertThat(statuses.subList(end, statuses.size())).as(statuses.toString())
                                .containsOnly("COMPLETED");
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
