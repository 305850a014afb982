package io.modeld.engine;

import java.util.List;

/**
 * A generated token with its log-probability under the model's raw distribution (before the sampler's cuts,
 * as llama-server reports it by default), and the most likely tokens at that step with theirs. A token is its
 * raw bytes: one may hold part of a character, which only the bytes carry (its text shows U+FFFD there).
 */
public record TokenLogprob(byte[] bytes, float logprob, List<Alternative> top) {

    /** A token the model could have chosen, and its log-probability. */
    public record Alternative(byte[] bytes, float logprob) {

        /** The token's text, a partial character as U+FFFD. */
        public String token() {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** The token's text, a partial character as U+FFFD. */
    public String token() {
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The log-probability of {@code chosen} among {@code logits}, and the {@code n} likeliest tokens; their bytes
     * from {@code model} as the answer's text has them ({@code shown}: the special tokens whose text it shows; a
     * special token it does not show has none, as a byte token llama.cpp reads as a control has none).
     */
    static TokenLogprob of(float[] logits, int chosen, int n, LlamaModel model, java.util.function.IntPredicate shown) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double lse = max + Math.log(sum);
        int[] best = new int[Math.max(0, Math.min(n, logits.length))];
        java.util.Arrays.fill(best, -1);
        for (int t = 0; t < logits.length; t++) {   // n is at most 20: insertion into a short sorted list
            for (int k = 0; k < best.length; k++) {
                if (best[k] < 0 || logits[t] > logits[best[k]]) {
                    System.arraycopy(best, k, best, k + 1, best.length - k - 1);
                    best[k] = t;
                    break;
                }
            }
        }
        List<Alternative> top = new java.util.ArrayList<>(best.length);
        for (int t : best) {
            if (t >= 0) {
                top.add(new Alternative(model.piece(t, shown.test(t)), (float) (logits[t] - lse)));
            }
        }
        return new TokenLogprob(model.piece(chosen, shown.test(chosen)), (float) (logits[chosen] - lse), top);
    }
}
