// The writer of bench/library.sh, run with the test classes on the class path
// (java -cp target/modeld.jar:target/test-classes bench/LibraryBench.java DIR N):
// writes N GGUF files into DIR/<publisher-k>/<repo-k>/model-Q4_K_M.gguf, each with the header of a
// Qwen3-0.6B-sized model (151,936 tokens, 151,387 merges, 28 layers of tensors) and no tensor data
// (sparse files of the full size), as a scan of a real library reads them.
import io.modeld.gguf.GgufWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class LibraryBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int vocab = 151_936;
        List<String> tokens = new ArrayList<>(vocab);
        List<String> merges = new ArrayList<>(vocab);
        for (int i = 0; i < vocab; i++) {
            tokens.add("tok" + Integer.toString(i, 36));
            merges.add("t" + Integer.toString(i, 36) + " o" + Integer.toString(i, 36));
        }
        int[] types = new int[vocab];
        for (int k = 0; k < n; k++) {
            int embd = 1024;
            int ffn = 3072;
            GgufWriter w = new GgufWriter().string("general.architecture", "qwen3")
                    .string("general.name", "bench model " + k).u32("general.file_type", 15)
                    .u32("qwen3.context_length", 40960).u32("qwen3.embedding_length", embd)
                    .u32("qwen3.block_count", 28).u32("qwen3.feed_forward_length", ffn)
                    .u32("qwen3.attention.head_count", 16).u32("qwen3.attention.head_count_kv", 8)
                    .string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", tokens)
                    .strings("tokenizer.ggml.merges", merges).i32s("tokenizer.ggml.token_type", types);
            w.tensor("token_embd.weight", new long[] {embd, vocab}, i -> 0);
            w.tensor("output_norm.weight", new long[] {embd}, i -> 0);
            for (int l = 0; l < 28; l++) {
                String p = "blk." + l + ".";
                for (String t : List.of("attn_q", "attn_k", "attn_v", "attn_output")) {
                    w.tensor(p + t + ".weight", new long[] {embd, embd}, i -> 0);
                }
                for (String t : List.of("attn_norm", "ffn_norm")) {
                    w.tensor(p + t + ".weight", new long[] {embd}, i -> 0);
                }
                w.tensor(p + "ffn_gate.weight", new long[] {embd, ffn}, i -> 0);
                w.tensor(p + "ffn_up.weight", new long[] {embd, ffn}, i -> 0);
                w.tensor(p + "ffn_down.weight", new long[] {ffn, embd}, i -> 0);
            }
            Path file = dir.resolve("publisher-" + (k / 10)).resolve("repo-" + k).resolve("model-Q4_K_M.gguf");
            Files.createDirectories(file.getParent());
            w.writeHeaderOnly(file);
        }
    }
}
