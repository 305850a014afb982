package io.modeld.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.modeld.engine.KvCache;
import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufReader;
import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.TinyLlama;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The context a chat model gets when nothing names one: as large as half the budget allows, up to its trained one. */
class LoadPlanTest {

    @TempDir
    Path dir;

    private GgufFile model(int trained) throws Exception {
        Path file = dir.resolve("m" + trained + ".gguf");
        new TinyLlama(64, 8, 128, 8, 8, trained).write(file, 1);
        return GgufReader.read(file);
    }

    @Test
    void a_model_that_names_no_context_gets_the_largest_that_half_the_budget_holds() throws Exception {
        GgufFile gguf = model(131_072);
        long size = 10L << 20;
        assertThat(LoadPlan.of("m", gguf, size, 0, 0, 64L << 30, KvCache.DEFAULT).context()).as("a large budget: the trained context")
                .isEqualTo(131_072);
        LoadPlan mid = LoadPlan.of("m", gguf, size, 0, 0, 1L << 30, KvCache.DEFAULT);
        assertThat(mid.slots()).isEqualTo(4);
        assertThat(mid.context()).isBetween(4096, 65_536);
        assertThat(mid.estimate().total()).isLessThanOrEqualTo((1L << 30) / 2);
        assertThat(MemoryEstimate.of(gguf, size, mid.context() * 2, 4).total()).as("twice as much would not fit")
                .isGreaterThan((1L << 30) / 2);
        assertThat(LoadPlan.of("m", gguf, size, 0, 0, 160L << 20, KvCache.DEFAULT).context()).as("a small budget: the old default")
                .isEqualTo(MemoryEstimate.DEFAULT_CONTEXT);
    }

    @Test
    void a_quantized_cache_counts_its_smaller_size_and_buys_a_longer_context() throws Exception {
        GgufFile gguf = model(131_072);
        long size = 10L << 20;
        KvCache q8 = new KvCache(KvCache.Type.Q8_0, KvCache.FlashAttention.AUTO);
        LoadPlan f16 = LoadPlan.of("m", gguf, size, 8192, 0, 64L << 30, KvCache.DEFAULT);
        LoadPlan quantized = LoadPlan.of("m", gguf, size, 8192, 0, 64L << 30, q8);
        assertThat((double) quantized.estimate().kvCache() / f16.estimate().kvCache()).isCloseTo(34.0 / 64, within(0.01));
        long budget = 1L << 30;
        assertThat(LoadPlan.of("m", gguf, size, 0, 0, budget, q8).context())
                .isGreaterThan(LoadPlan.of("m", gguf, size, 0, 0, budget, KvCache.DEFAULT).context());
    }

    @Test
    void a_named_context_and_a_short_trained_one_are_kept() throws Exception {
        GgufFile gguf = model(131_072);
        assertThat(LoadPlan.of("m", gguf, 1 << 20, 8192, 0, 64L << 30, KvCache.DEFAULT).context()).isEqualTo(8192);
        assertThat(LoadPlan.of("m", model(2048), 1 << 20, 0, 0, 64L << 30, KvCache.DEFAULT).context()).isEqualTo(2048);
        assertThat(Files.size(dir.resolve("m2048.gguf"))).isPositive();
    }
}
