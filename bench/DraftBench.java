// Speculative decoding by n-gram lookup (issue 32), the engine called in this JVM as the runner calls it, with
// drafting off and on in turn (the peer is the same engine without drafts), on the model given (bench/draft.sh
// writes the 384-dim 6-layer random llama). Prints "case off_tps on_tps drafted accepted" for:
//   re-emit   greedy, 160 tokens, the prompt being the model's own greedy text: it goes round that text again,
//             as an edit re-emits the file it was given
//   sampled   temperature 1, seed per run, 160 tokens from "Hello": text that repeats little, so drafts miss
//   echo      a scripted model (gguf/ScriptedLlama) that says the 40-character line its prompt holds, as an edit
//             re-emits the file it was given: every draft is right, and what it costs shows
// Medians of RUNS (argument 3) runs each; a warm-up generation first.
import io.modeld.engine.Generation;
import io.modeld.engine.Generator;
import io.modeld.engine.KvCache;
import io.modeld.engine.LlamaEngine;
import io.modeld.engine.LlamaModel;
import io.modeld.engine.NativeBundle;
import io.modeld.engine.Sampling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public class DraftBench {
    public static void main(String[] args) throws Exception {
        NativeBundle.useJnaFrom(Files.createTempDirectory("draft-bench-jna"));
        int threads = Runtime.getRuntime().availableProcessors();
        LlamaEngine engine = LlamaEngine.load(Path.of(args[0]), false);
        int runs = Integer.parseInt(args[2]);
        try (LlamaModel model = engine.loadModel(List.of(Path.of(args[1])));
             Generator off = Generator.create(model, 4096, 1, threads, KvCache.DEFAULT);
             Generator on = Generator.create(model, 4096, 1, threads, KvCache.DEFAULT)) {
            on.speculate(true);
            Sampling greedy = Sampling.DEFAULT.withTemperature(0);
            StringBuilder own = new StringBuilder();
            off.generate(new Generation.Request(model.tokenize("Hello", true, true), 240, greedy, List.of(), true),
                    own::append, () -> false);
            int[] reEmit = model.tokenize("Hello" + own, true, true);
            bench("re-emit", off, on, reEmit, i -> greedy, runs);
            bench("sampled", off, on, model.tokenize("Hello", true, true),
                    i -> Sampling.DEFAULT.withTemperature(1.0f).withSeed(100 + i), runs);
        }
        Path echo = Path.of(args[1]).resolveSibling("echo.gguf");
        String line = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";
        new io.modeld.gguf.ScriptedLlama(io.modeld.gguf.TinyLlama.CHATML, List.of(), ":",
                line.chars().mapToObj(c -> String.valueOf((char) c)).toList(), null, List.of()).write(echo);
        try (LlamaModel model = engine.loadModel(List.of(echo));
             Generator off = Generator.create(model, 4096, 1, threads, KvCache.DEFAULT);
             Generator on = Generator.create(model, 4096, 1, threads, KvCache.DEFAULT)) {
            on.speculate(true);
            bench("echo", off, on, model.tokenize("The line reads " + line + "\nSay it again:", true, true),
                    i -> Sampling.DEFAULT.withTemperature(0), runs);
        }
        System.exit(0);
    }

    private static void bench(String name, Generator off, Generator on, int[] prompt,
                              java.util.function.IntFunction<Sampling> sampling, int runs) throws Exception {
        List<Double> a = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        Generator.DraftCounts before = on.draftCounts();
        tps(off, prompt, sampling.apply(0));
        tps(on, prompt, sampling.apply(0));
        for (int i = 1; i <= runs; i++) {   // the two take turns, each first every other run
            if (i % 2 == 0) {
                a.add(tps(off, prompt, sampling.apply(i)));
                b.add(tps(on, prompt, sampling.apply(i)));
            } else {
                b.add(tps(on, prompt, sampling.apply(i)));
                a.add(tps(off, prompt, sampling.apply(i)));
            }
        }
        Generator.DraftCounts after = on.draftCounts();
        System.out.printf("%s %.1f %.1f %d %d%n", name, median(a), median(b), after.drafted() - before.drafted(),
                after.accepted() - before.accepted());
    }

    /**
     * Tokens a second of generations of up to 160 tokens (end of sequence ignored, but a scripted model's ends its
     * line), its prompt read from the slot; ten of them for a line that short.
     */
    private static double tps(Generator g, int[] prompt, Sampling s) throws Exception {
        long tokens = 0;
        long nanos = 0;
        for (int i = 0; i < 10 && tokens < 160; i++) {
            Generation.Result r = g.generate(new Generation.Request(prompt, 160, s, List.of(), false), t -> { },
                    () -> false);
            tokens += r.tokens();
            nanos += r.generateNanos();
        }
        return tokens / (nanos / 1e9);
    }

    private static double median(List<Double> v) {
        List<Double> sorted = new ArrayList<>(v);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
