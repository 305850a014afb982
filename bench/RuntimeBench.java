// Runtime benchmark harness, run by bench/runtime.sh with the jar on the class path:
//   java -cp target/modeld.jar bench/RuntimeBench.java write FILE     writes the ~135 MB test model
//   java -cp target/modeld.jar bench/RuntimeBench.java direct FILE N  loads it with java-llama.cpp in
//       this JVM and prints "load_ms tokens_per_second" for N tokens (after one warm-up generation)
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import io.modeld.gguf.TinyLlama;
import java.nio.file.Path;

public class RuntimeBench {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        if (args[0].equals("write")) {
            TinyLlama.SMALL.write(file, 42);
            return;
        }
        int n = Integer.parseInt(args[2]);
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        long t0 = System.nanoTime();
        try (LlamaModel model = new LlamaModel(new ModelParameters().setModel(file.toString()).setCtxSize(2048)
                .setThreads(Runtime.getRuntime().availableProcessors()))) {
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            InferenceParameters p = new InferenceParameters("Hello").setNPredict(n).setTemperature(0.8f).setSeed(1)
                    .setIgnoreEos(true);
            model.complete(p);
            long t1 = System.nanoTime();
            int tokens = 0;
            for (var piece : model.generate(p)) {
                tokens++;
            }
            double seconds = (System.nanoTime() - t1) / 1e9;
            System.out.printf("%d %.1f%n", loadMs, tokens / seconds);
        }
        System.exit(0);
    }
}
