package io.modeld.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real llama.cpp (java-llama.cpp 4.2.0) loads the tiny model the writer makes and generates from it.
 * Loaded in the test JVM on purpose: the model is 120 KB, so what llama.cpp never frees is negligible.
 */
class LlamaCppAcceptsTinyLlamaTest {

    @TempDir
    Path dir;

    @Test
    void llama_cpp_loads_the_generated_model_and_generates_tokens() throws Exception {
        Path model = dir.resolve("tiny.gguf");
        TinyLlama.TINY.write(model, 3);
        try (LlamaModel llama = new LlamaModel(new ModelParameters().setModel(model.toString()).setCtxSize(256)
                .setThreads(1))) {
            int[] tokens = llama.encode("Hi");
            // Byte fallback: "▁Hi" is 3 + 2 bytes, each byte token is its value + 3.
            assertThat(tokens).containsExactly(0xE2 + 3, 0x96 + 3, 0x81 + 3, 'H' + 3, 'i' + 3);
            assertThat(llama.decode(tokens)).contains("Hi");
            StringBuilder out = new StringBuilder();
            int generated = 0;
            for (var piece : llama.generate(new InferenceParameters("Hello").setNPredict(8).setSeed(1).setIgnoreEos(true))) {
                out.append(piece.text);
                generated++;
            }
            assertThat(generated).as("pieces of text; bytes of one character come as one piece").isBetween(1, 8);
        }
    }
}
