package io.modeld.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one header cache: one read per version of a file, a changed file read again, and its bounds. */
class GgufHeadersTest {

    @TempDir
    Path dir;

    @Test
    void a_file_is_read_once_per_version_and_again_once_it_changed() throws Exception {
        GgufHeaders headers = new GgufHeaders();
        Path file = dir.resolve("m.gguf");
        TinyLlama.TINY.write(file, 1);
        GgufFile first = headers.read(file);
        assertThat(headers.read(file)).isSameAs(first);
        assertThat(headers.read(dir.resolve("./m.gguf"))).as("by its real path").isSameAs(first);
        TinyLlama.TINY.write(file, 2, "{{ messages }}");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        GgufFile second = headers.read(file);
        assertThat(second).isNotSameAs(first);
        assertThat(second.string("tokenizer.chat_template")).isEqualTo("{{ messages }}");
    }

    @Test
    void it_keeps_at_most_its_count_of_files_dropping_the_least_recently_read() throws Exception {
        GgufHeaders headers = new GgufHeaders();
        Path first = dir.resolve("m0.gguf");
        TinyLlama.TINY.write(first, 0);
        GgufFile kept = headers.read(first);
        for (int i = 1; i <= GgufHeaders.MAX_FILES; i++) {
            Path f = dir.resolve("m" + i + ".gguf");
            Files.copy(first, f);
            headers.read(f);
        }
        assertThat(headers.kept()[0]).isEqualTo(GgufHeaders.MAX_FILES);
        assertThat(headers.kept()[1]).isLessThanOrEqualTo(GgufHeaders.MAX_BYTES).isPositive();
        assertThat(headers.read(first)).as("the eldest went, and is read anew").isNotSameAs(kept);
    }
}
