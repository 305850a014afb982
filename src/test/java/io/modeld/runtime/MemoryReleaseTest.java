package io.modeld.runtime;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.Downloading;
import io.modeld.testing.Runners;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unloading gives the memory back: the whole process tree's RSS, read from /proc, drops. */
class MemoryReleaseTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path files;

    private static long treeRss() {
        ProcessHandle self = ProcessHandle.current();
        return Stream.concat(Stream.of(self), self.descendants()).mapToLong(p -> ProcessRunner.residentBytes(p.pid())).sum();
    }

    @Test
    void unloading_the_135_mb_model_gives_back_most_of_its_memory() throws Exception {
        Path file = files.resolve("small.gguf");
        TinyLlama.SMALL.write(file, 9);
        long size = Files.size(file);
        assertThat(size).isBetween(120L << 20, 150L << 20);
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            String id = Downloading.downloaded(daemon, file, "small");
            ok(daemon.post("/model/" + id + "/load", ""));
            ObjectNode body = Json.MAPPER.createObjectNode().put("model", id).put("prompt", "Hello").put("max_tokens", 4);
            ok(daemon.post("/v1/completions", body));
            long loaded = treeRss();
            ok(daemon.post("/model/" + id + "/unload", ""));
            assertThat(Runners.running()).isEmpty();
            long unloaded = treeRss();
            assertThat(loaded - unloaded).as("RSS given back, against a %d-byte file", size)
                    .isGreaterThanOrEqualTo((long) (size * 0.7));
        }
    }
}
