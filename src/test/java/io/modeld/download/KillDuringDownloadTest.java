package io.modeld.download;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.modeld.testing.FileServer;
import io.modeld.testing.ProgressFrames;
import io.modeld.testing.TestDaemon;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the daemon at 10 random moments of one download; each restart resumes it to a verified end. */
class KillDuringDownloadTest {

    @TempDir
    Path dataDir;

    private Process startDaemon() throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.modeld.Main", "serve", "--port", "0",
                "--connections", "4", "--data-dir", dataDir.toString()).redirectErrorStream(true).start();
    }

    private static int port(Process daemon) {
        String line = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8))
                .lines().filter(l -> l.contains(" serving ")).findFirst().orElseThrow();
        Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(line);
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static HttpResponse<String> post(int port, String path, String body) throws Exception {
        return TestDaemon.client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_download_killed_ten_times_still_completes_with_the_right_sha256() throws Exception {
        int size = 32 << 20;
        byte[] data = FileServer.content(size, 31);
        Random random = new Random(31);
        try (FileServer files = FileServer.start().serve("/m.gguf", data).capPerConnection(1 << 20)) {
            String id = null;
            for (int kill = 0; kill < 10; kill++) {
                Process daemon = startDaemon();
                try {
                    int port = port(daemon);
                    if (id == null) {
                        id = ok(post(port, "/models/create", "{\"name\": \"killed\", \"source\": {\"url\": \""
                                + files.uri("/m.gguf") + "\", \"sha256\": \"" + FileServer.sha256(data) + "\"}}"))
                                .get("id").asText();
                        post(port, "/model/" + id + "/download", null);
                    }
                    Thread.sleep(300 + random.nextInt(900));
                } finally {
                    daemon.destroyForcibly(); // SIGKILL
                    daemon.waitFor(20, TimeUnit.SECONDS);
                }
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
