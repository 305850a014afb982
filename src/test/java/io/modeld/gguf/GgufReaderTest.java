package io.modeld.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufReaderTest {

    @TempDir
    static Path dir;
    static Path tiny;
    static byte[] tinyBytes;

    @BeforeAll
    static void writeTinyModel() throws IOException {
        tiny = dir.resolve("tiny.gguf");
        TinyLlama.TINY.write(tiny, 1);
        tinyBytes = Files.readAllBytes(tiny);
    }

    @Test
    void reads_back_what_the_writer_wrote() throws Exception {
        GgufFile f = GgufReader.read(tiny);
        assertThat(f.version()).isEqualTo(3);
        assertThat(f.architecture()).isEqualTo("llama");
        assertThat(f.archInteger("context_length")).isEqualTo(256);
        assertThat(f.archInteger("block_count")).isEqualTo(1);
        assertThat(f.archInteger("embedding_length")).isEqualTo(32);
        assertThat(f.quantization()).isEqualTo("F32");
        assertThat(f.metadata().get("tokenizer.ggml.tokens"))
                .isEqualTo(new GgufReader.SkippedArray("STRING", TinyLlama.VOCAB));
        assertThat(f.tensors()).hasSize(3 + 9);
        long embeddings = 2L * 32 * TinyLlama.VOCAB;
        long layer = 4L * 32 * 32 + 3L * 32 * 96 + 2 * 32;
        assertThat(f.parameterCount()).isEqualTo(embeddings + 32 + layer);
        assertThat(f.dataOffset() % 32).isZero();
        GgufFile.TensorInfo last = f.tensors().get(f.tensors().size() - 1);
        assertThat(f.dataOffset() + last.offset() + last.elements() * 4).isEqualTo(Files.size(tiny));
        assertThat(Files.size(tiny)).isBetween(100_000L, 140_000L);
    }

    @Test
    void a_long_vocabulary_across_many_windows_is_skipped_and_what_follows_is_read() throws Exception {
        Random random = new Random(5);
        java.util.List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            tokens.add("x".repeat(random.nextInt(i % 1000 == 0 ? 3000 : 40)));   // some longer than a window's tail
        }
        Path file = dir.resolve("vocab.gguf");
        new GgufWriter().string("general.architecture", "llama").strings("tokenizer.ggml.tokens", tokens)
                .strings("tokenizer.ggml.merges", tokens).string("after", "here")
                .tensor("t.weight", new long[] {8}, i -> i).write(file);
        GgufFile f = GgufReader.read(file);
        assertThat(f.metadata().get("tokenizer.ggml.tokens")).isEqualTo(new GgufReader.SkippedArray("STRING", 100_000));
        assertThat(f.metadata().get("after")).isEqualTo("here");
        assertThat(f.tensors()).extracting(GgufFile.TensorInfo::name).containsExactly("t.weight");
        byte[] bytes = Files.readAllBytes(file);
        for (int cut : new int[] {bytes.length / 3, bytes.length / 2 + 5}) {
            Path p = dir.resolve("vocab-cut.gguf");
            Files.write(p, Arrays.copyOf(bytes, cut));
            assertThatThrownBy(() -> GgufReader.read(p)).isInstanceOf(GgufFormatException.class);
        }
    }

    @Test
    void every_truncation_is_a_clear_format_error() throws Exception {
        long dataOffset = GgufReader.read(tiny).dataOffset();
        for (int cut = 0; cut < dataOffset; cut += cut < 64 ? 1 : 97) {
            Path p = dir.resolve("cut.gguf");
            Files.write(p, Arrays.copyOf(tinyBytes, cut));
            assertThatThrownBy(() -> GgufReader.read(p)).as("cut at " + cut).isInstanceOf(GgufFormatException.class);
        }
    }

    @Test
    void random_corruption_of_the_header_never_escapes_as_anything_but_a_format_error() throws Exception {
        long dataOffset = GgufReader.read(tiny).dataOffset();
        Random random = new Random(2026);
        Path p = dir.resolve("flipped.gguf");
        for (int round = 0; round < 400; round++) {
            byte[] b = tinyBytes.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                b[random.nextInt((int) dataOffset)] = (byte) random.nextInt(256);
            }
            Files.write(p, b);
            try {
                GgufReader.read(p);
            } catch (GgufFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (Throwable other) {
                fail("round " + round + ": " + other, other);
            }
        }
    }

    private static ByteBuffer header(int tensors, long kvs) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufReader.MAGIC).putInt(3).putLong(tensors).putLong(kvs);
        return b;
    }

    /** The crafted header followed by zeros, so that counts are judged by the values, not a short file. */
    private static Path file(ByteBuffer b) throws IOException {
        Path p = dir.resolve("crafted.gguf");
        Files.write(p, b.array());
        return p;
    }

    private static void key(ByteBuffer b, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        b.putLong(k.length).put(k);
    }

    @Test
    void huge_counts_and_lengths_are_refused_before_any_allocation() throws Exception {
        assertThatThrownBy(() -> GgufReader.read(file(header(0, Long.MAX_VALUE))))
                .isInstanceOf(GgufFormatException.class).hasMessageContaining("metadata count");
        assertThatThrownBy(() -> GgufReader.read(file(header(Integer.MAX_VALUE, 0))))
                .isInstanceOf(GgufFormatException.class).hasMessageContaining("tensor count");

        ByteBuffer longString = header(0, 1);
        longString.putLong(Long.MAX_VALUE - 1);
        assertThatThrownBy(() -> GgufReader.read(file(longString)))
                .isInstanceOf(GgufFormatException.class).hasMessageContaining("does not fit");

        ByteBuffer bigArray = header(0, 1);
        key(bigArray, "tokenizer.ggml.tokens");
        bigArray.putInt(9).putInt(8).putLong(1L << 40);
        assertThatThrownBy(() -> GgufReader.read(file(bigArray)))
                .isInstanceOf(GgufFormatException.class).hasMessageContaining("length of tokenizer.ggml.tokens");
    }

    @Test
    void wrong_types_and_shapes_are_format_errors() throws Exception {
        ByteBuffer badType = header(0, 1);
        key(badType, "general.architecture");
        badType.putInt(99);
        assertThatThrownBy(() -> GgufReader.read(file(badType))).hasMessageContaining("value type 99");

        ByteBuffer badDims = header(1, 0);
        key(badDims, "t");
        badDims.putInt(9);
        assertThatThrownBy(() -> GgufReader.read(file(badDims))).hasMessageContaining("9 dimensions");

        ByteBuffer notGguf = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putInt(0x4c4c4547).putInt(3);
        assertThatThrownBy(() -> GgufReader.read(file(notGguf))).hasMessageContaining("not a GGUF file");

        ByteBuffer oldVersion = header(0, 0);
        oldVersion.putInt(4, 1);
        assertThatThrownBy(() -> GgufReader.read(file(oldVersion))).hasMessageContaining("version 1");

        ByteBuffer deep = header(0, 1);
        key(deep, "nested");
        deep.putInt(9).putInt(9).putLong(1).putInt(9).putLong(1);
        assertThatThrownBy(() -> GgufReader.read(file(deep))).hasMessageContaining("nested too deep");
    }
}
