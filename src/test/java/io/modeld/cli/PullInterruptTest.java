package io.modeld.cli;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.TestDaemon;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code modeld pull} in a real pseudo-terminal ({@code script} gives it one, as a terminal emulator
 * would): Ctrl-C (the byte 0x03 typed into the terminal, which the terminal turns into SIGINT) asks
 * whether to cancel, and the answer is obeyed.
 */
class PullInterruptTest {

    static final int SIZE = 32 << 20;

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    FileServer files;
    String id;

    @BeforeEach
    void slowDownload() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")),
                "util-linux's script is needed for a pseudo-terminal");
        byte[] data = FileServer.content(SIZE, 7);
        files = FileServer.start().serve("/slow.gguf", data).capPerConnection(256 << 10);
        id = Downloading.createModel(daemon, "slow", files.uri("/slow.gguf").toString(), FileServer.sha256(data), SIZE);
    }

    @AfterEach
    void stopFiles() {
        if (files != null) {
            files.close();
        }
    }

    /** The pull, running in a pseudo-terminal: its output as the terminal shows it, and its input. */
    private final class Terminal implements AutoCloseable {
        final Process process;
        final ByteArrayOutputStream screen = new ByteArrayOutputStream();
        final OutputStream keys;

        Terminal() throws IOException {
            String cmd = String.join(" ", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "io.modeld.Main", "pull", "slow", "--url",
                    "http://127.0.0.1:" + daemon.port());
            process = new ProcessBuilder("script", "-qfec", cmd, "/dev/null").redirectErrorStream(true).start();
            keys = process.getOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = process.getInputStream()) {
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        synchronized (screen) {
                            screen.write(buf, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the terminal closed
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        String shown() {
            synchronized (screen) {
                return screen.toString(StandardCharsets.UTF_8);
            }
        }

        void type(String text) throws IOException {
            keys.write(text.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void ctrl_c_then_yes_cancels_the_download() throws Exception {
        try (Terminal t = new Terminal()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> t.shown().contains("slow") && t.shown().contains("MB/s"));
            t.type("\u0003");
            await().atMost(Duration.ofSeconds(10)).until(() -> t.shown().contains("Cancel the download? [y/N]"));
            t.type("y\r");
            assertThat(t.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(t.process.exitValue()).isEqualTo(ExitCodes.INTERRUPTED);
            assertThat(t.shown()).contains("canceled");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !ok(daemon.get("/model/" + id)).get("downloading").asBoolean());
        assertThat(ok(daemon.get("/model/" + id)).get("downloaded").asBoolean()).isFalse();
    }

    @Test
    void ctrl_c_then_no_leaves_it_running_in_the_daemon() throws Exception {
        try (Terminal t = new Terminal()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> t.shown().contains("MB/s"));
            t.type("\u0003");
            await().atMost(Duration.ofSeconds(10)).until(() -> t.shown().contains("Cancel the download? [y/N]"));
            t.type("\r");
            assertThat(t.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(t.process.exitValue()).isEqualTo(ExitCodes.INTERRUPTED);
            assertThat(t.shown()).contains("left running in the daemon");
        }
        assertThat(ok(daemon.get("/model/" + id)).get("downloading").asBoolean()).isTrue();
    }

    @Test
    void a_finished_bar_keeps_its_state_apart_from_the_speed() throws Exception {
        files.capPerConnection(0);
        try (Terminal t = new Terminal()) {
            assertThat(t.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(t.process.exitValue()).as(t.shown()).isZero();
            assertThat(t.shown()).contains("MB/s · completed").doesNotContain("MB/scompleted")
                    .contains("slow: downloaded and verified");
        }
    }
}
