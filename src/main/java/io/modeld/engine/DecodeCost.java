package io.modeld.engine;

/**
 * What a decode of one slot's tokens costs on this model and machine, learned as it runs: the time of a decode of
 * one token, and what each token more adds (moving averages of the decodes of a slot running alone). A draft pays
 * only when the tokens it is expected to save outweigh what its longer decode costs: on 2 CPU cores a 384-dim model
 * took 1.7 ms for one token and 6.8 ms for nine (each token more 0.37 of a decode), while a model bound by reading
 * its weights pays next to nothing for them. Used by the generator's thread.
 */
final class DecodeCost {

    private static final double WEIGHT = 0.1;

    private double single = -1;
    private double perToken = -1;

    /** A decode of {@code tokens} tokens of one slot took {@code nanos}. */
    void observe(int tokens, long nanos) {
        if (tokens == 1) {
            single = single < 0 ? nanos : single + WEIGHT * (nanos - single);
        } else if (tokens > 1 && single > 0) {
            double extra = Math.max(0, (nanos - single) / (tokens - 1));
            perToken = perToken < 0 ? extra : perToken + WEIGHT * (extra - perToken);
        }
    }

    /** Whether both are known. */
    boolean known() {
        return single > 0 && perToken >= 0;
    }

    /** What a token more costs, as a share of a one-token decode. */
    double ratio() {
        return perToken / single;
    }
}
