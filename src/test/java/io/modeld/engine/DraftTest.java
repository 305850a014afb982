package io.modeld.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.gguf.TinyLlama;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Speculative decoding by n-gram lookup on the bundled llama.cpp: greedy output with drafting on is the output
 * with it off, token for token, while the model keeps drafts of a text that repeats itself; a seeded sampler
 * gives the same text too (each token is still sampled from the model's own distribution, in order).
 */
class DraftTest {

    @TempDir
    Path dir;

    private static String run(Generator g, int[] prompt, Sampling s, int n) throws EngineException {
        StringBuilder out = new StringBuilder();
        g.generate(new Generation.Request(prompt, n, s, List.of(), true), out::append, () -> false);
        return out.toString();
    }

    @Test
    void drafting_keeps_the_greedy_text_and_the_model_keeps_drafts_of_a_repeating_one() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        TinyLlama.TINY.write(file, 41);
        try (LlamaModel model = EngineTest.engine().loadModel(List.of(file));
             Generator off = Generator.create(model, 256, 1, 2, KvCache.DEFAULT);
             Generator on = Generator.create(model, 256, 1, 2, KvCache.DEFAULT)) {
            on.speculate(true);
            Sampling greedy = Sampling.DEFAULT.withTemperature(0);
            int[] start = model.tokenize("Once upon a time", true, true);
            String first = run(off, start, greedy, 60);
            // the model's own words as its prompt: a greedy random model goes round the same loop again
            int[] prompt = model.tokenize("Once upon a time" + first, true, true);
            String plain = run(off, prompt, greedy, 80);
            String drafted = run(on, prompt, greedy, 80);
            assertThat(drafted).isEqualTo(plain);
            Generator.DraftCounts counts = on.draftCounts();
            assertThat(counts.drafted()).as("drafts proposed").isPositive();
            assertThat(counts.accepted()).as("drafts kept").isPositive().isLessThanOrEqualTo(counts.drafted());
            assertThat(off.draftCounts().drafted()).as("off drafts nothing").isZero();

            Sampling seeded = Sampling.DEFAULT.withSeed(5);
            assertThat(run(on, prompt, seeded, 60)).isEqualTo(run(off, prompt, seeded, 60));
        }
    }

    @Test
    void a_draft_model_of_the_same_vocabulary_drafts_what_the_lookup_cannot_and_the_text_stays_the_same()
            throws Exception {
        Path file = dir.resolve("tiny.gguf");
        TinyLlama.TINY.write(file, 42);
        Path other = dir.resolve("other-vocabulary.gguf");   // two control tokens more
        TinyLlama.TINY.write(other, 43, io.modeld.gguf.TinyLlama.CHATML, List.of("<|im_start|>", "<|im_end|>"));
        try (LlamaModel model = EngineTest.engine().loadModel(List.of(file));
             Generator off = Generator.create(model, 256, 1, 2, KvCache.DEFAULT);
             Generator on = Generator.create(model, 256, 1, 2, KvCache.DEFAULT)) {
            // the same weights as their own draft: every draft it makes is what the model samples
            on.draftWith(EngineTest.engine().loadModel(List.of(file)), 2);
            on.speculate(true);
            Sampling greedy = Sampling.DEFAULT.withTemperature(0);
            int[] prompt = model.tokenize("A story about a lighthouse keeper and the ships", true, true);
            assertThat(run(on, prompt, greedy, 80)).isEqualTo(run(off, prompt, greedy, 80));
            Generator.DraftCounts counts = on.draftCounts();
            assertThat(counts.drafted()).isGreaterThan(20);
            assertThat(counts.accepted()).as("an identical draft model's tokens are kept")
                    .isGreaterThan(counts.drafted() * 8 / 10);

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> on.draftWith(EngineTest.engine()
                            .loadModel(List.of(other)), 2))
                    .isInstanceOf(EngineException.class).hasMessageContaining("vocabular");
        }
    }
}
