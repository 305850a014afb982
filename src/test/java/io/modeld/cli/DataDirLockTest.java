package io.modeld.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modeld.config.DataDirLock;
import io.modeld.testing.DaemonProcess;
import io.modeld.testing.TestDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One daemon per data dir: a second one refuses at once and says who holds it; a killed one frees it. */
class DataDirLockTest {

    @TempDir
    Path dataDir;

    /** Runs {@code modeld serve} on the same data dir as a second process; returns (exit code, output). */
    private static String[] secondDaemon(Path dataDir) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.modeld.Main", "serve", "--port", "0",
                "--data-dir", dataDir.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the second daemon exits at once").isTrue();
        return new String[] {String.valueOf(p.exitValue()), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)};
    }

    @Test
    void a_second_daemon_on_the_same_data_dir_exits_naming_the_first_ones_pid() throws Exception {
        try (DaemonProcess first = DaemonProcess.start(dataDir)) {
            String[] second = secondDaemon(dataDir);
            assertThat(second[0]).isEqualTo(String.valueOf(ExitCodes.IN_USE));
            List<String> lines = second[1].lines().toList();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).isEqualTo("modeld: the data dir " + dataDir + " is in use by pid "
                    + first.handle().pid() + "; stop that daemon or use another --data-dir");
            assertThat(first.get("/.well-known/health").statusCode()).isEqualTo(200);
            String log = Files.readString(dataDir.resolve("logs").resolve("modeld.log"));
            assertThat(log.lines().filter(l -> l.contains("catalog merged")))
                    .as("only the first daemon started and wrote its log").hasSize(1);
        }
    }

    @Test
    void a_daemon_killed_with_sigkill_leaves_no_stale_lock() throws Exception {
        DaemonProcess first = DaemonProcess.start(dataDir);
        first.kill();
        try (DaemonProcess again = DaemonProcess.start(dataDir)) {
            assertThat(again.get("/.well-known/health").statusCode()).isEqualTo(200);
            assertThat(Files.readString(dataDir.resolve("modeld.lock")).trim()).isEqualTo(String.valueOf(again.handle().pid()));
        }
    }

    @Test
    void an_embedded_daemon_holds_the_lock_too_and_releases_it_when_closed() {
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            assertThatThrownBy(() -> TestDaemon.start(dataDir)).isInstanceOf(DataDirLock.InUseException.class)
                    .hasMessageContaining("is in use by pid " + ProcessHandle.current().pid());
            assertThat(daemon.get("/.well-known/health").statusCode()).isEqualTo(200);
        }
        try (TestDaemon again = TestDaemon.start(dataDir)) {
            assertThat(again.get("/.well-known/health").statusCode()).isEqualTo(200);
        }
    }
}
