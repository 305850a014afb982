package io.modeld.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.gguf.TinyLlama;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine binding, in this JVM, on the bundled llama.cpp and the tiny models the writer makes:
 * tokenizer, generation counts and reasons, seeds, stop strings, grammars.
 */
class EngineTest {

    @TempDir
    Path dir;

    static LlamaEngine engine() throws EngineException {
        return LlamaEngine.load(NativeBundle.llamaDir(Path.of("target")), false);
    }

    private LlamaModel tiny(long seed) throws Exception {
        Path file = dir.resolve("tiny-" + seed + ".gguf");
        TinyLlama.TINY.write(file, seed);
        return engine().loadModel(List.of(file));
    }

    private static String generate(Generator g, int[] prompt, int max, Sampling s, List<String> stop, boolean ignoreEos,
                                   Generation.Result[] result) throws EngineException {
        StringBuilder out = new StringBuilder();
        result[0] = g.generate(new Generation.Request(prompt, max, s, stop, ignoreEos), out::append, () -> false);
        return out.toString();
    }

    @Test
    void the_bundled_library_passes_the_api_check_and_reports_its_version() throws Exception {
        assertThat(engine().version()).startsWith("0.5.0");
        assertThat(engine().systemInfo()).contains("CPU");
    }

    @Test
    void as_built_here_the_cpu_backend_is_the_one_compiled_for_this_machine() throws Exception {
        // src/main/native/cpu/build.sh needs cmake on x86-64, which .ci/run installs; elsewhere the prebuilt serve
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 only");
        Path dir = NativeBundle.llamaDir(Path.of("target"));
        assertThat(dir.resolve(LlamaEngine.TUNED_CPU)).as("built by the build").isRegularFile();
        assertThat(engine().tunedCpu()).as("loaded in place of ggml's prebuilt choice").isTrue();
        // llamafile's matrix kernels, which ggml built on its own leaves out (0.6x on batches without them)
        assertThat(engine().systemInfo()).contains("AVX").contains("LLAMAFILE = 1");
    }

    @Test
    void tokenizes_with_byte_fallback_and_knows_the_shape_of_the_model() throws Exception {
        try (LlamaModel model = tiny(3)) {
            // Byte fallback: "▁Hi" is 3 + 2 bytes, each byte token is its value + 3; BOS (1) first.
            assertThat(model.tokenize("Hi", true, false)).containsExactly(1, 0xE2 + 3, 0x96 + 3, 0x81 + 3, 'H' + 3, 'i' + 3);
            assertThat(model.architecture()).isEqualTo("llama");
            assertThat(model.contextTrained()).isEqualTo(256);
            assertThat(model.embeddingSize()).isEqualTo(32);
            assertThat(model.role()).isEqualTo(LlamaModel.Role.GENERATOR);
            assertThat(new String(model.piece('H' + 3), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("H");
        }
    }

    @Test
    void max_tokens_with_ignore_eos_gives_exactly_that_many_tokens_and_length() throws Exception {
        try (LlamaModel model = tiny(1); Generator g = Generator.create(model, 256, 2)) {
            Generation.Result[] r = new Generation.Result[1];
            generate(g, model.tokenize("Hello", true, true), 6, Sampling.DEFAULT.withSeed(1), List.of(), true, r);
            assertThat(r[0].tokens()).isEqualTo(6);
            assertThat(r[0].finish()).isEqualTo(Generation.Finish.LENGTH);
            assertThat(r[0].promptTokens()).isEqualTo(model.tokenize("Hello", true, true).length);
        }
    }

    @Test
    void the_same_seed_gives_the_same_text_and_the_cache_reuses_a_repeated_prompt() throws Exception {
        try (LlamaModel model = tiny(2); Generator g = Generator.create(model, 256, 2)) {
            int[] prompt = model.tokenize("Once upon a time", true, true);
            Generation.Result[] first = new Generation.Result[1];
            Generation.Result[] second = new Generation.Result[1];
            String a = generate(g, prompt, 24, Sampling.DEFAULT.withSeed(42), List.of(), true, first);
            String b = generate(g, prompt, 24, Sampling.DEFAULT.withSeed(42), List.of(), true, second);
            assertThat(b).isEqualTo(a).isNotEmpty();
            assertThat(second[0].reusedTokens()).as("all but the last prompt token came from the cache")
                    .isEqualTo(prompt.length - 1);
            String c = generate(g, prompt, 24, Sampling.DEFAULT.withSeed(43), List.of(), true, second);
            assertThat(c).as("another seed, another text").isNotEqualTo(a);
        }
    }

    @Test
    void a_stop_string_ends_the_text_before_it() throws Exception {
        try (LlamaModel model = tiny(4); Generator g = Generator.create(model, 256, 2)) {
            int[] prompt = model.tokenize("Hello", true, true);
            Generation.Result[] r = new Generation.Result[1];
            String free = generate(g, prompt, 40, Sampling.DEFAULT.withTemperature(0), List.of(), true, r);
            assertThat(free.length()).isGreaterThan(4);
            String stop = free.substring(2, 4);
            String cut = generate(g, prompt, 40, Sampling.DEFAULT.withTemperature(0), List.of(stop), true, r);
            assertThat(cut).isEqualTo(free.substring(0, free.indexOf(stop)));
            assertThat(r[0].finish()).isEqualTo(Generation.Finish.STOP);
        }
    }

    @Test
    void a_grammar_forces_output_of_its_shape() throws Exception {
        try (LlamaModel model = tiny(5); Generator g = Generator.create(model, 256, 2)) {
            String grammar = "root ::= \"{\\\"answer\\\": \" [0-9]{1,3} \"}\"";
            Generation.Result[] r = new Generation.Result[1];
            String out = generate(g, model.tokenize("Answer:", true, true), 64,
                    Sampling.DEFAULT.withSeed(7).withGrammar(grammar), List.of(), false, r);
            assertThat(out).matches("\\{\"answer\": [0-9]{1,3}\\}");
            assertThat(r[0].finish()).isEqualTo(Generation.Finish.STOP);
        }
    }

    @Test
    void a_prompt_longer_than_the_context_is_refused_clearly() throws Exception {
        try (LlamaModel model = tiny(6); Generator g = Generator.create(model, 64, 1)) {
            int[] prompt = model.tokenize("x".repeat(1000), true, true);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.generate(new Generation.Request(prompt, 4,
                    Sampling.DEFAULT, List.of(), false), t -> { }, () -> false))
                    .isInstanceOf(EngineException.class)
                    .hasMessageContaining("the prompt is " + prompt.length + " tokens")
                    .hasMessageContaining("context holds " + g.contextSize());
        }
    }

    @Test
    void an_unsupported_library_is_refused_with_the_versions_supported(@TempDir Path empty) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LlamaEngine.find(empty, "llama")
                .orElseThrow(() -> new EngineException(EngineException.Kind.LIBRARY, "none")))
                .isInstanceOf(EngineException.class);
    }

    @Test
    void this_years_architectures_load_and_generate() throws Exception {
        Path qwen = dir.resolve("qwen3.gguf");
        Path gemma = dir.resolve("gemma3.gguf");
        io.modeld.gguf.TinyModels.qwen3(qwen, 1);
        io.modeld.gguf.TinyModels.gemma3(gemma, 2);
        for (Path file : List.of(qwen, gemma)) {
            try (LlamaModel model = engine().loadModel(List.of(file)); Generator g = Generator.create(model, 512, 2)) {
                assertThat(model.role()).isEqualTo(LlamaModel.Role.GENERATOR);
                String prompt = model.applyTemplate(null, List.of(new ChatTurn(ChatTurn.Role.USER, "Hi")), true);
                assertThat(prompt).contains("<|im_start|>user\nHi<|im_end|>").endsWith("<|im_start|>assistant\n");
                Generation.Result[] r = new Generation.Result[1];
                generate(g, model.tokenize(prompt, true, true), 5, Sampling.DEFAULT.withSeed(3), List.of(), true, r);
                assertThat(r[0].tokens()).as(file.getFileName().toString()).isEqualTo(5);
            }
        }
    }

    @Test
    void an_embedder_pools_each_input_and_a_batch_equals_the_singles() throws Exception {
        Path file = dir.resolve("bert.gguf");
        io.modeld.gguf.TinyModels.bertEmbedder(file, 9);
        try (LlamaModel model = engine().loadModel(List.of(file)); Pooler pooler = Pooler.embeddings(model, 512, 2, false)) {
            assertThat(model.role()).isEqualTo(LlamaModel.Role.EMBEDDER);
            List<int[]> inputs = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                inputs.add(model.tokenize("input number " + i + " " + "word ".repeat(i), true, false));
            }
            List<float[]> batch = pooler.run(inputs).stream().map(EngineTest::unit).toList();
            assertThat(batch).hasSize(16);
            for (int i = 0; i < 16; i++) {
                float[] single = unit(pooler.run(List.of(inputs.get(i))).get(0));
                assertThat(single).hasSize(64);
                for (int d = 0; d < single.length; d++) {
                    assertThat(batch.get(i)[d]).as("input %d, dimension %d", i, d)
                            .isCloseTo(single[d], org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
            assertThat(batch.get(0)).isNotEqualTo(batch.get(1));
        }
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(norm));
        }
        return out;
    }

    @Test
    void a_reranker_scores_each_pair() throws Exception {
        Path file = dir.resolve("reranker.gguf");
        io.modeld.gguf.TinyModels.bertReranker(file, 10);
        try (LlamaModel model = engine().loadModel(List.of(file)); Pooler pooler = Pooler.reranker(model, 512, 2)) {
            assertThat(model.role()).isEqualTo(LlamaModel.Role.RERANKER);
            List<float[]> scores = pooler.run(List.of(pooler.pair("query", "first document"),
                    pooler.pair("query", "second, other document"), pooler.pair("query", "first document")));
            assertThat(scores).hasSize(3).allSatisfy(s -> assertThat(s).hasSize(1));
            // the same pair scores the same wherever it sits in the batch, to the last bits a kernel's order moves
            assertThat(scores.get(0)[0]).isCloseTo(scores.get(2)[0], org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(Math.abs(scores.get(0)[0] - scores.get(1)[0])).isGreaterThan(1e-4f);
        }
    }

    @Test
    void quantizes_a_model_that_then_loads_with_quantized_kernels() throws Exception {
        Path f32 = dir.resolve("f32.gguf");
        Path q8 = dir.resolve("q8_0.gguf");
        io.modeld.gguf.TinyLlama.QUANTIZABLE.write(f32, 11);
        Quantizer.quantize(engine(), f32, q8, "Q8_0", 2);
        io.modeld.gguf.GgufFile header = io.modeld.gguf.GgufReader.read(q8);
        assertThat(header.quantization()).isEqualTo("Q8_0");
        assertThat(header.tensors()).anySatisfy(t -> assertThat(t.type()).isEqualTo(8)); // GGML_TYPE_Q8_0
        assertThat(java.nio.file.Files.size(q8)).isLessThan(java.nio.file.Files.size(f32) / 2);
        try (LlamaModel model = engine().loadModel(List.of(q8)); Generator g = Generator.create(model, 512, 2)) {
            Generation.Result[] r = new Generation.Result[1];
            generate(g, model.tokenize("Hello", true, true), 4, Sampling.DEFAULT.withSeed(1), List.of(), true, r);
            assertThat(r[0].tokens()).isEqualTo(4);
        }
    }

    @Test
    void a_decode_aborted_midway_fails_its_job_and_the_slot_then_gives_what_a_fresh_one_gives() throws Exception {
        try (LlamaModel model = tiny(5); Generator g = Generator.create(model, 256, 2)) {
            int[] prompt = model.tokenize("Hello there, how are you", true, true);
            Generation.Result[] r = new Generation.Result[1];
            String fresh = generate(g, prompt, 8, Sampling.DEFAULT.withTemperature(0), List.of(), true, r);
            g.watch(new Generation.Watch() {
                boolean once;

                @Override
                public void decoding(long step, long[] ids) {
                    if (!once) {
                        once = true;
                        assertThat(g.abort(step, "aborted by the test")).isTrue();
                    }
                }

                @Override
                public void sampling(long id) {
                }

                @Override
                public void stepDone() {
                }
            });
            EngineException[] failed = new EngineException[1];
            int[] longer = model.tokenize("Hello there, how are you today", true, true);
            g.start(new Generation.Job(1, new Generation.Request(longer, 8, Sampling.DEFAULT.withTemperature(0),
                    List.of(), true), SamplerChain.of(model, Sampling.DEFAULT.withTemperature(0), true), t -> false,
                    t -> { }, () -> false, done -> { }, e -> failed[0] = e));
            g.step();
            assertThat(failed[0]).isNotNull();
            assertThat(failed[0].kind()).isEqualTo(EngineException.Kind.DEADLINE);
            assertThat(failed[0].getMessage()).isEqualTo("aborted by the test");
            assertThat(g.idle()).isTrue();
            // what the aborted decode left in the cache is gone: the same prompt gives the same tokens
            assertThat(generate(g, prompt, 8, Sampling.DEFAULT.withTemperature(0), List.of(), true, r)).isEqualTo(fresh);
        }
    }
}
