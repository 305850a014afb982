package io.modeld.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A one-layer llama model whose weights are set by hand so that llama.cpp, sampling as usual, says what a
 * test scripted: the agent tests need a model that calls a tool, reads the tool's answer and then answers,
 * which random weights never do. How: every token of the script has an embedding dimension of its own and
 * the output matrix maps it to the next token of the script (a bigram chain, logits thousands apart, so
 * any temperature gives the same text). The chain starts at {@code start}, the last token of the prompt
 * the template renders. One switch makes it depend on the conversation: only the {@code marker} token (a
 * tool's answer, {@code <tool_response>}) has a key and a value, every script token asks for it (a score of
 * 40 against 0 for the rest, so it is found among any number of tokens: Claude Code's first prompt is 99k
 * of this byte vocabulary), and where it is in the prompt its value moves every token of the
 * {@code afterMarker} chain up, and the chain's first token wins over the first chain's. The query and key
 * sit in the last rotary pair, which a huge RoPE base leaves unturned at any position.
 *
 * @param template    the chat template, a real model's from llama.cpp's corpus
 * @param specials    control tokens: the template's markers, one token each
 * @param start       the prompt's last token: a special, or a single character (a byte token)
 * @param first       what the model says without the marker, token by token; EOS follows
 * @param marker      a special whose presence switches chains, or null
 * @param afterMarker what it says when the marker is in the prompt; EOS follows
 */
public record ScriptedLlama(String template, List<String> specials, String start, List<String> first, String marker,
                            List<String> afterMarker) {

    private static final int EMBD = 64;
    private static final int FLAG = EMBD - 2;
    private static final int MODE = EMBD - 1;
    private static final int EOS = 2;

    /** Writes the model. */
    public void write(Path file) throws IOException {
        write(file, false);
    }

    /** Writes a model that says its first chain over and over, never EOS: an answer only a stop or a limit ends. */
    public void writeLooping(Path file) throws IOException {
        write(file, true);
    }

    private void write(Path file, boolean looping) throws IOException {
        List<String> pieces = new ArrayList<>();
        for (List<String> chain : List.of(first, afterMarker)) {
            for (String t : chain) {
                if (!specials.contains(t) && t.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1
                        && !pieces.contains(t)) {
                    pieces.add(t);
                }
            }
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < specials.size(); i++) {
            ids.put(specials.get(i), TinyVocab.SIZE + i);
        }
        for (int i = 0; i < pieces.size(); i++) {
            ids.put(pieces.get(i), TinyVocab.SIZE + specials.size() + i);
        }
        int vocab = TinyVocab.SIZE + specials.size() + pieces.size();
        // states: the tokens that have a successor, each with a dimension
        Map<Integer, Integer> dim = new LinkedHashMap<>();
        int[] a = chain(ids, first);
        int[] b = chain(ids, afterMarker);
        int startId = id(ids, start);
        for (int[] c : List.of(a, b)) {
            for (int t : c) {
                dim.putIfAbsent(t, dim.size());
            }
        }
        dim.putIfAbsent(startId, dim.size());
        if (dim.size() > FLAG) {
            throw new IllegalArgumentException("the script has more than " + FLAG + " tokens");
        }
        int markerId = marker == null ? -1 : id(ids, marker);
        Set<Integer> seen = new LinkedHashSet<>(List.of(startId));
        for (int t : concat(a, b)) {
            if (!seen.add(t)) {
                throw new IllegalArgumentException("a bigram script names each token once: token " + t + " twice");
            }
        }
        float[][] out = new float[vocab][EMBD];
        link(out, dim, startId, a, 1000, looping);
        if (b.length > 0) {
            link(out, dim, startId, b, 500, false);
            for (int t : b) {
                out[t][MODE] = 1000;
            }
            out[EOS][MODE] = 1000;
        }
        GgufWriter w = new GgufWriter()
                .string("general.architecture", "llama")
                .string("general.name", "modeld scripted llama")
                .u32("general.file_type", 0)
                .u32("llama.context_length", 131072)
                .u32("llama.embedding_length", EMBD)
                .u32("llama.block_count", 1)
                .u32("llama.feed_forward_length", 32)
                .u32("llama.attention.head_count", 1)
                .u32("llama.attention.head_count_kv", 1)
                .u32("llama.rope.dimension_count", EMBD)
                .f32("llama.rope.freq_base", 1e30f)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .u32("llama.vocab_size", vocab);
        TinyVocab.addTo(w, false, template, specials, pieces);
        w.tensor("token_embd.weight", new long[] {EMBD, vocab}, i -> {
            int d = (int) (i % EMBD);
            int t = (int) (i / EMBD);
            Integer own = dim.get(t);
            return (own != null && own == d) || (t == markerId && d == FLAG) ? 1 : 0;
        });
        w.tensor("output_norm.weight", new long[] {EMBD}, i -> 1.0);
        w.tensor("output.weight", new long[] {EMBD, vocab}, i -> out[(int) (i / EMBD)][(int) (i % EMBD)]);
        String p = "blk.0.";
        w.tensor(p + "attn_norm.weight", new long[] {EMBD}, i -> 1.0);
        // (a weight's element i is output i / EMBD from input i % EMBD) query FLAG: 1 from every script dimension
        w.tensor(p + "attn_q.weight", new long[] {EMBD, EMBD}, i -> i / EMBD == FLAG && i % EMBD < FLAG ? 1 : 0);
        // key FLAG: 5 from the marker's flag; after the norms, 8 * 40 / sqrt(64) = a score of 40
        w.tensor(p + "attn_k.weight", new long[] {EMBD, EMBD}, i -> i == (long) EMBD * FLAG + FLAG ? 5 : 0);
        // value 0 of a position is its marker flag; the output puts it into MODE, about 20 against a token's own 1
        w.tensor(p + "attn_v.weight", new long[] {EMBD, EMBD}, i -> i == FLAG ? 1 : 0);
        w.tensor(p + "attn_output.weight", new long[] {EMBD, EMBD}, i -> i == (long) EMBD * MODE ? 2.5 : 0);
        w.tensor(p + "ffn_norm.weight", new long[] {EMBD}, i -> 1.0);
        w.tensor(p + "ffn_gate.weight", new long[] {EMBD, 32}, i -> 0);
        w.tensor(p + "ffn_down.weight", new long[] {32, EMBD}, i -> 0);
        w.tensor(p + "ffn_up.weight", new long[] {EMBD, 32}, i -> 0);
        w.write(file);
    }

    /**
     * start → c[0] → c[1] → … → EOS (or, looping, back to c[0]), the first link weighing {@code firstWeight},
     * the others 1000.
     */
    private static void link(float[][] out, Map<Integer, Integer> dim, int start, int[] c, float firstWeight,
                             boolean looping) {
        int prev = start;
        for (int i = 0; i <= c.length; i++) {
            int next = i < c.length ? c[i] : looping ? c[0] : EOS;
            out[next][dim.get(prev)] = i == 0 ? firstWeight : 1000;
            prev = next;
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static int[] chain(Map<String, Integer> ids, List<String> texts) {
        return texts.stream().mapToInt(t -> id(ids, t)).toArray();
    }

    private static int id(Map<String, Integer> ids, String text) {
        Integer id = ids.get(text);
        if (id != null) {
            return id;
        }
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length != 1) {
            throw new IllegalArgumentException("not a token of the script: " + text);
        }
        return 3 + (bytes[0] & 0xff);
    }
}
