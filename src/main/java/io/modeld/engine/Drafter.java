package io.modeld.engine;

/**
 * Draftless speculative decoding by n-gram lookup (prompt lookup, as llama.cpp's {@code ngram} drafts): the last
 * few tokens of a slot are looked for earlier in what it holds, and the tokens that followed them there are
 * proposed as the next ones. The model checks them all in one decode, with the token being generated; each
 * proposal it would have sampled itself is kept, so an answer that re-emits its prompt (an edited file, quoted
 * code, a tool's output) takes one decode for several tokens, and the sampled text is exactly what it would have
 * been. Each proposal costs: on 2 CPU cores a decode of 9 tokens of a 384-dim model took 6.8 ms against 1.7 ms
 * for one (measured with bench/DraftBench.java). So once the cost of a longer decode is known ({@link DecodeCost})
 * the length proposed is the one whose expected gain is largest, from the share of proposed tokens kept so far
 * (each kept with that chance once the one before it was): none when no length gains {@value #MIN_GAIN}x, but a
 * single token every {@value #PROBE} decodes to see whether that has changed. Before, all kept doubles the next
 * length (up to {@value #MAX_DRAFT}), fewer makes it one more than were kept. A slot whose proposals all miss
 * waits longer and longer before it proposes again (up to {@value #MAX_WAIT} decodes), so text that repeats
 * nothing pays next to nothing. Used by a slot's thread.
 */
final class Drafter {

    /** The most tokens proposed at once. */
    static final int MAX_DRAFT = 8;
    /** The longest wait after proposals that missed, in decodes. */
    static final int MAX_WAIT = 64;
    private static final int[] NONE = new int[0];
    /** The n-gram lengths looked for, longest first: a longer match predicts better. */
    private static final int[] LENGTHS = {4, 3};
    /** The least expected gain (tokens a decode, against one) a draft must promise. */
    static final double MIN_GAIN = 1.05;
    /** Decodes between two one-token probes while drafting does not pay. */
    static final int PROBE = 16;

    private int wait;
    private int skip;
    private int size = 4;
    /** Moving sums of proposed tokens kept, and of those checked (a kept one, or the first not kept). */
    private double kept;
    private double checked;
    private int sinceProbe;
    long drafted;
    long accepted;

    /** Where proposals come from when the lookup finds none: a draft model ({@link DraftModel}). */
    interface Fallback {
        int[] draft(int count) throws EngineException;
    }

    /**
     * Proposals to follow {@code last}, which follows {@code tokens[0..length)}; none while waiting after misses,
     * or when the last tokens occur nowhere earlier.
     */
    int[] propose(int[] tokens, int length, int last, int room) {
        return propose(tokens, length, last, room, null, null);
    }

    /**
     * The same, asking {@code fallback} (when not null) for as many as it would propose when the lookup finds none,
     * and proposing as many as pays under {@code cost} (null or not yet known: as many as were last kept, and one).
     */
    int[] propose(int[] tokens, int length, int last, int room, Fallback fallback, DecodeCost cost) {
        if (skip > 0) {
            skip--;
            return NONE;
        }
        if (cost != null && cost.known() && checked > 0) {
            size = best(cost.ratio());
            if (size == 0) {
                if (++sinceProbe < PROBE) {
                    return NONE;
                }
                sinceProbe = 0;
                size = 1;
            }
        }
        int[] found = lookup(tokens, length, last, room);
        if (found.length > 0 || fallback == null) {
            return found;
        }
        try {
            return fallback.draft(Math.min(size, room));
        } catch (EngineException e) {
            return NONE;   // the draft model failed: the target goes on without
        }
    }

    private int[] lookup(int[] tokens, int length, int last, int room) {
        int total = length + 1;
        for (int n : LENGTHS) {
            if (total <= n) {
                continue;
            }
            for (int start = total - n - 1; start >= 0; start--) {   // the most recent earlier occurrence
                if (matches(tokens, length, last, start, total - n, n)) {
                    int from = start + n;
                    int count = Math.min(Math.min(size, room), total - from);
                    if (count <= 0) {
                        return NONE;
                    }
                    int[] draft = new int[count];
                    for (int i = 0; i < count; i++) {
                        draft[i] = at(tokens, length, last, from + i);
                    }
                    return draft;
                }
            }
        }
        return NONE;
    }

    /**
     * The length whose expected tokens a decode, {@code 1 + q + q^2 + ... + q^k} against a cost of
     * {@code 1 + ratio * k}, is largest, {@code q} being the share kept; 0 when none reaches {@link #MIN_GAIN}.
     */
    int best(double ratio) {
        double q = kept / checked;
        double saved = 0;
        double term = 1;
        double bestGain = MIN_GAIN;
        int best = 0;
        for (int k = 1; k <= MAX_DRAFT; k++) {
            term *= q;
            saved += term;
            double gain = (1 + saved) / (1 + ratio * k);
            if (gain > bestGain) {
                bestGain = gain;
                best = k;
            }
        }
        return best;
    }

    /** What the model kept of {@code proposed} tokens: none makes the next wait longer, any resets it. */
    void checked(int proposed, int kept) {
        drafted += proposed;
        accepted += kept;
        if (proposed == 0) {
            return;
        }
        this.kept = 0.9 * this.kept + kept;
        this.checked = 0.9 * this.checked + kept + (kept < proposed ? 1 : 0);
        if (kept == 0) {
            wait = Math.min(MAX_WAIT, Math.max(1, wait * 2));
            skip = wait;
            size = 1;
        } else {
            wait = 0;
            size = kept == proposed ? Math.min(MAX_DRAFT, size * 2) : kept + 1;
        }
    }

    private static boolean matches(int[] tokens, int length, int last, int a, int b, int n) {
        for (int i = 0; i < n; i++) {
            if (at(tokens, length, last, a + i) != at(tokens, length, last, b + i)) {
                return false;
            }
        }
        return true;
    }

    private static int at(int[] tokens, int length, int last, int i) {
        return i < length ? tokens[i] : last;
    }
}
