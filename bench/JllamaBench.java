// The java-llama.cpp 4.2.0 peer of bench/runtime.sh (llama.cpp b4916, March 2025), in its own JVM:
//   java -cp <java-llama.cpp jar> bench/JllamaBench.java FILE N
// loads FILE and prints "load_ms tokens_per_second" for N tokens from "Hello" (temperature 0.8, seed 1,
// end of sequence ignored, context 2048), after one warm-up generation; tokens/s over the generate call.
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;

public class JllamaBench {
    public static void main(String[] args) throws Exception {
        String file = args[0];
        int n = Integer.parseInt(args[1]);
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        long t0 = System.nanoTime();
        try (LlamaModel model = new LlamaModel(new ModelParameters().setModel(file).setCtxSize(2048)
                .setThreads(Runtime.getRuntime().availableProcessors()))) {
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            InferenceParameters p = new InferenceParameters("Hello").setNPredict(n).setTemperature(0.8f).setSeed(1)
                    .setIgnoreEos(true);
            model.complete(p);
            long t1 = System.nanoTime();
            model.complete(p);
            double seconds = (System.nanoTime() - t1) / 1e9;
            System.out.printf("%d %.1f%n", loadMs, n / seconds);
        }
        System.exit(0);
    }
}
