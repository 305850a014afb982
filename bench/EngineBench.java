// The harness of bench/runtime.sh and bench/embeddings.sh for modeld's own engine, run with the jar and
// the test classes on the class path (java -cp target/modeld.jar:target/test-classes bench/EngineBench.java):
//   write FILE                      the 808 MB F32 test model (random llama: 1024-dim, 12 layers, 4096 FFN)
//   write-small FILE                a small fast random llama (384-dim, 6 layers, 1536 FFN, trained context 8192):
//                                   where modeld's own cost per token shows, as on a GPU or a laptop's small model
//   write-tiny FILE                 the tests' tiny chat llama (32-dim, 1 layer)
//   write-bert FILE                 a MiniLM-sized random bert embedder (384-dim, 6 layers, mean pooling)
//   quantize IN OUT TYPE            llama_model_quantize, e.g. Q4_K_M
//   direct LLAMA_DIR FILE N         "load_ms tokens_per_second": the engine called in this JVM, as the runner
//                                   does, N tokens from "Hello" (temperature 0.8, seed 1, end of sequence
//                                   ignored, context 2048), after one warm-up generation
//   embed LLAMA_DIR FILE COUNT      "inputs_per_second" for COUNT short inputs in one batch, after a warm-up
//   bundled DIR                     unpacks the bundled llama.cpp under DIR and prints its folder
import io.modeld.engine.Generation;
import io.modeld.engine.Generator;
import io.modeld.engine.LlamaEngine;
import io.modeld.engine.LlamaModel;
import io.modeld.engine.NativeBundle;
import io.modeld.engine.Pooler;
import io.modeld.engine.Quantizer;
import io.modeld.engine.Sampling;
import io.modeld.gguf.TinyLlama;
import io.modeld.gguf.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class EngineBench {
    public static void main(String[] args) throws Exception {
        Path jna = Files.createTempDirectory("engine-bench-jna");
        NativeBundle.useJnaFrom(jna);
        int threads = Runtime.getRuntime().availableProcessors();
        switch (args[0]) {
            case "write" -> new TinyLlama(1024, 12, 4096, 16, 16, 2048).write(Path.of(args[1]), 42);
            case "write-small" -> new TinyLlama(384, 6, 1536, 6, 6, 8192).write(Path.of(args[1]), 42);
            case "write-tiny" -> TinyLlama.CHAT.write(Path.of(args[1]), 42);
            case "bundled" -> System.out.println(NativeBundle.llamaDir(Path.of(args[1])));
            case "write-bert" -> TinyModels.bert(Path.of(args[1]), 7, 384, 6, 1536, 12, 1);
            case "quantize" -> Quantizer.quantize(LlamaEngine.load(NativeBundle.llamaDir(jna), false), Path.of(args[1]),
                    Path.of(args[2]), args[3], threads);
            case "direct" -> {
                LlamaEngine engine = LlamaEngine.load(Path.of(args[1]), false);
                int n = Integer.parseInt(args[3]);
                long t0 = System.nanoTime();
                try (LlamaModel model = engine.loadModel(List.of(Path.of(args[2])));
                     Generator g = Generator.create(model, 2048, threads)) {
                    long loadMs = (System.nanoTime() - t0) / 1_000_000;
                    int[] prompt = model.tokenize("Hello", true, true);
                    Generation.Request r = new Generation.Request(prompt, n, Sampling.DEFAULT.withSeed(1), List.of(), true);
                    g.generate(r, t -> { }, () -> false);
                    long t1 = System.nanoTime();
                    Generation.Result result = g.generate(r, t -> { }, () -> false);
                    double seconds = (System.nanoTime() - t1) / 1e9;
                    System.out.printf("%d %.1f%n", loadMs, result.tokens() / seconds);
                }
            }
            case "embed" -> {
                LlamaEngine engine = LlamaEngine.load(Path.of(args[1]), false);
                int count = Integer.parseInt(args[3]);
                try (LlamaModel model = engine.loadModel(List.of(Path.of(args[2])));
                     Pooler pooler = Pooler.embeddings(model, 512, threads, false)) {
                    List<int[]> inputs = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        inputs.add(model.tokenize(shortInput(i), true, false));
                    }
                    pooler.run(inputs);
                    long t0 = System.nanoTime();
                    pooler.run(inputs);
                    System.out.printf("%.1f%n", count / ((System.nanoTime() - t0) / 1e9));
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.exit(0);
    }

    /** The short inputs both sides embed: a few words each, different per index. */
    static String shortInput(int i) {
        return "short input number " + i + " about code search";
    }
}
