package io.modeld.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.gguf.TinyLlama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prompt cache behind a generator's slots, on the bundled llama.cpp and a tiny model: a prefix restored from
 * RAM or from disk gives the same greedy tokens as evaluated afresh; the RAM tier keeps to its bound; a cache file
 * cut at any byte or changed is removed, never restored; a cache of another key is never used.
 */
class PromptCacheTest {

    @TempDir
    Path dir;
    private LlamaModel model;
    private int[] a;
    private int[] b;
    private String afresh;

    @BeforeEach
    void model() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        TinyLlama.TINY.write(file, 11);
        model = EngineTest.engine().loadModel(List.of(file));
        a = model.tokenize("Once upon a time a fox lived by the river and every morning it ran along the bank.", true,
                true);
        b = model.tokenize("A quite different prompt, about ships that sail at night past the lighthouse rocks.",
                true, true);
        try (Generator plain = Generator.create(model, 256, 1, 2, KvCache.DEFAULT, PromptCache.Settings.NONE)) {
            afresh = greedy(plain, a, new Generation.Result[1]);
        }
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        model.close();
    }

    private Path root() {
        return dir.resolve("prompt-cache");
    }

    private Generator generator(long ram, String key) throws EngineException {
        return Generator.create(model, 256, 1, 2, KvCache.DEFAULT,
                new PromptCache.Settings(ram, 64L << 20, root().toString(), key));
    }

    private static String greedy(Generator g, int[] prompt, Generation.Result[] result) throws EngineException {
        StringBuilder out = new StringBuilder();
        result[0] = g.generate(new Generation.Request(prompt, 12, Sampling.DEFAULT.withTemperature(0), List.of(), true),
                out::append, () -> false);
        return out.toString();
    }

    @Test
    void a_prefix_restored_from_ram_gives_the_tokens_evaluated_afresh() throws Exception {
        try (Generator g = generator(64L << 20, "k")) {
            Generation.Result[] r = new Generation.Result[1];
            assertThat(greedy(g, a, r)).isEqualTo(afresh);
            greedy(g, b, r);   // the one slot goes to b: a goes to the cache
            assertThat(g.cacheStats().ramEntries()).isEqualTo(1);
            assertThat(greedy(g, a, r)).as("restored, then the rest evaluated").isEqualTo(afresh);
            assertThat(r[0].reusedTokens()).as("all but the last prompt token restored").isEqualTo(a.length - 1);
            assertThat(g.cacheStats().hits()).isEqualTo(1);
            assertThat(g.cacheStats().restoredTokens()).isGreaterThanOrEqualTo(a.length - 1);
        }
    }

    @Test
    void the_ram_tier_keeps_to_its_bound_the_least_recently_used_going_first() throws Exception {
        long one;
        try (Generator g = generator(64L << 20, "k")) {
            Generation.Result[] r = new Generation.Result[1];
            greedy(g, a, r);
            greedy(g, b, r);
            one = g.cacheStats().ramBytes();
        }
        assertThat(one).isPositive();
        long bound = one * 5 / 2;
        try (Generator g = generator(bound, "k")) {
            Generation.Result[] r = new Generation.Result[1];
            for (int i = 0; i < 6; i++) {
                int[] prompt = model.tokenize("Prompt number " + i + " of six, each long enough to be kept by the cache.",
                        true, true);
                greedy(g, prompt, r);
                assertThat(g.cacheStats().ramBytes()).as("after prompt " + i).isLessThanOrEqualTo(bound);
            }
            assertThat(g.cacheStats().ramEntries()).as("five stashed, some evicted").isBetween(1, 4);
            int[] first = model.tokenize("Prompt number 0 of six, each long enough to be kept by the cache.", true, true);
            greedy(g, first, r);
            assertThat(r[0].reusedTokens()).as("the oldest went first").isLessThan(first.length - 1);
        }
    }

    @Test
    void a_conversation_a_client_comes_back_to_outlasts_the_others_in_both_tiers() throws Exception {
        long one;
        try (Generator g = generator(64L << 20, "k")) {
            greedy(g, a, new Generation.Result[1]);
            greedy(g, b, new Generation.Result[1]);
            one = g.cacheStats().ramBytes();
        }
        long bound = one * 5 / 2;
        try (Generator g = generator(bound, "k")) {
            Generation.Result[] r = new Generation.Result[1];
            // a Pieces conversation or a stored response: kept before the rest
            g.generate(new Generation.Request(a, 12, Sampling.DEFAULT.withTemperature(0), List.of(), true, -1, true),
                    t -> { }, () -> false);
            for (int i = 0; i < 6; i++) {
                greedy(g, model.tokenize("Prompt number " + i + " of six, each long enough to be kept by the cache.",
                        true, true), r);
            }
            assertThat(greedy(g, a, r)).isEqualTo(afresh);
            assertThat(r[0].reusedTokens()).as("still in RAM after six others").isEqualTo(a.length - 1);
            g.persist();
        }
        assertThat(files()).anyMatch(f -> f.getFileName().toString().endsWith(".kept.prompt"));
    }

    @Test
    void prefixes_written_at_unload_are_restored_by_the_next_load() throws Exception {
        try (Generator g = generator(64L << 20, "k")) {
            Generation.Result[] r = new Generation.Result[1];
            greedy(g, a, r);
            greedy(g, b, r);
            g.persist();
        }
        assertThat(files()).hasSize(2);
        try (Generator g = generator(64L << 20, "k")) {
            assertThat(g.cacheStats().diskEntries()).isEqualTo(2);
            Generation.Result[] r = new Generation.Result[1];
            assertThat(greedy(g, a, r)).isEqualTo(afresh);
            assertThat(r[0].reusedTokens()).as("read from disk").isEqualTo(a.length - 1);
        }
    }

    @Test
    void a_cache_file_cut_at_any_byte_or_changed_is_removed_and_never_restored() throws Exception {
        try (Generator g = generator(64L << 20, "k")) {
            greedy(g, a, new Generation.Result[1]);
            g.persist();
        }
        Path file = files().get(0);
        byte[] whole = Files.readAllBytes(file);
        int n = whole.length;
        for (int cut : new int[] {0, 1, 5, 6, 10, 40, n / 3, n / 2, n - 33, n - 32, n - 1}) {
            Files.write(file, java.util.Arrays.copyOf(whole, cut));
            assertNotRestored("cut at " + cut + " of " + n);
            assertThat(file).as("cut at " + cut).doesNotExist();
        }
        for (int at : new int[] {8, n / 2, n - 1}) {
            byte[] changed = whole.clone();
            changed[at] ^= 0x40;
            Files.write(file, changed);
            assertNotRestored("byte " + at + " changed");
            assertThat(file).as("byte " + at + " changed").doesNotExist();
        }
        Files.write(file, whole);
        try (Generator g = generator(64L << 20, "k")) {
            Generation.Result[] r = new Generation.Result[1];
            greedy(g, a, r);
            assertThat(r[0].reusedTokens()).as("the file whole again is used").isEqualTo(a.length - 1);
        }
    }

    @Test
    void a_cache_of_another_model_file_or_kv_setting_is_never_used() throws Exception {
        try (Generator g = generator(64L << 20, "sha256:aaaa|ctx=256|kv=f16|fa=auto")) {
            greedy(g, a, new Generation.Result[1]);
            g.persist();
        }
        for (String other : List.of("sha256:bbbb|ctx=256|kv=f16|fa=auto", "sha256:aaaa|ctx=256|kv=q8_0|fa=on")) {
            try (Generator g = generator(64L << 20, other)) {
                assertThat(g.cacheStats().diskEntries()).isZero();
                Generation.Result[] r = new Generation.Result[1];
                greedy(g, a, r);
                assertThat(r[0].reusedTokens()).as(other).isZero();
            }
        }
        assertThat(files()).as("the first key's file is left alone").hasSize(1);
    }

    private void assertNotRestored(String why) throws Exception {
        try (Generator g = generator(64L << 20, "k")) {
            Generation.Result[] r = new Generation.Result[1];
            assertThat(greedy(g, a, r)).as(why).isEqualTo(afresh);
            assertThat(r[0].reusedTokens()).as(why).isZero();
        }
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> all = Files.walk(root())) {
            return all.filter(p -> p.toString().endsWith(".prompt")).sorted().toList();
        }
    }
}
