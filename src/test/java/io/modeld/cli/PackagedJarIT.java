package io.modeld.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.gguf.TinyLlama;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, as a user runs it: serve, import, load and run a model, all through the jar. */
class PackagedJarIT {

    @TempDir
    Path dir;

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("modeld.jar")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void the_jar_serves_imports_loads_and_runs_a_model() throws Exception {
        assertThat(run(java("serve", "--check", "--data-dir", dir.resolve("check").toString())))
                .contains("check passed");
        Path model = dir.resolve("jar-tiny.gguf");
        TinyLlama.TINY.write(model, 77);
        Process daemon = new ProcessBuilder(java("serve", "--port", "0", "--data-dir", dir.resolve("data").toString()))
                .redirectErrorStream(true).start();
        try {
            String line = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8))
                    .lines().filter(l -> l.contains(" serving ")).findFirst().orElseThrow();
            Matcher m = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)").matcher(line);
            assertThat(m.find()).isTrue();
            String url = m.group(1);
            assertThat(run(java("import", model.toString(), "--url", url))).contains("downloaded and verified");
            assertThat(run(java("load", "jar-tiny", "--url", url))).contains("jar-tiny: loaded");
            // Random weights may answer with nothing printable: what counts is that the chat completes.
            run(java("run", "jar-tiny", "Hi", "--max-tokens", "3", "--url", url));
            assertThat(run(java("ps", "--url", url))).contains("jar-tiny");
        } finally {
            daemon.destroy();
            daemon.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
