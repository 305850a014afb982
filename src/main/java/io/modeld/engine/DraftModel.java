package io.modeld.engine;

import java.util.Arrays;

/**
 * A small model that drafts tokens for a larger one of the same vocabulary (speculative decoding, as
 * llama-server's {@code --model-draft}): each slot has a sequence in the draft's own context that follows what the
 * slot holds; to draft, the draft model catches up with the slot's new tokens and then picks its likeliest next
 * token a few times, one decode each. The target checks the drafts as it checks n-gram ones ({@link Slot}), so
 * the text is the same as without. A long prompt is caught up {@value #CATCH_UP} tokens a decode, and the slot
 * drafts nothing until it is, so no decode of the target waits long for it. Used by the generator's thread.
 */
final class DraftModel implements AutoCloseable {

    /** Tokens of a slot's new prompt the draft decodes a step. */
    static final int CATCH_UP = 512;

    private final LlamaModel model;
    private final LlamaContext ctx;
    private final int[][] held;
    private final int[] heldLength;

    private DraftModel(LlamaModel model, LlamaContext ctx, int slots) {
        this.model = model;
        this.ctx = ctx;
        this.held = new int[slots][0];
        this.heldLength = new int[slots];
    }

    /**
     * A draft context on {@code draft} for {@code slots} slots of {@code slotContext} tokens; INPUT when its
     * vocabulary is not the target's (their tokens would not mean the same).
     */
    static DraftModel create(LlamaModel draft, LlamaModel target, int slotContext, int slots, int threads)
            throws EngineException {
        if (draft.vocabularySize() != target.vocabularySize()) {
            throw new EngineException(EngineException.Kind.INPUT, "the draft model's vocabulary has "
                    + draft.vocabularySize() + " tokens, the model's " + target.vocabularySize());
        }
        for (int t = 0; t < target.vocabularySize(); t += Math.max(1, target.vocabularySize() / 64)) {
            if (!Arrays.equals(draft.piece(t, true), target.piece(t, true))) {
                throw new EngineException(EngineException.Kind.INPUT, "the draft model's token " + t + " is not the "
                        + "model's: their vocabularies differ");
            }
        }
        int total = slotContext * slots;
        LlamaContext ctx = LlamaContext.create(draft, new LlamaContext.Settings(total, Math.min(2048, total), slots,
                threads, false, LlamaContext.Pooling.MODEL, KvCache.DEFAULT));
        return new DraftModel(draft, ctx, slots);
    }

    /**
     * Up to {@code count} tokens the draft model expects after {@code tokens[0..length)} and {@code last}, for
     * slot {@code seq}; none while it is still catching up with a new prompt.
     */
    int[] propose(int seq, int[] tokens, int length, int last, int count) throws EngineException {
        int[] mine = held[seq];
        int common = 0;
        int n = Math.min(heldLength[seq], length);
        while (common < n && mine[common] == tokens[common]) {
            common++;
        }
        if (common < heldLength[seq]) {
            if (!ctx.forgetFrom(seq, common)) {
                ctx.forgetFrom(seq, 0);
                common = 0;
            }
            heldLength[seq] = common;
        }
        int behind = length - heldLength[seq];
        if (behind > CATCH_UP) {
            decode(seq, tokens, heldLength[seq], CATCH_UP, false);
            return new int[0];
        }
        if (behind > 0) {
            decode(seq, tokens, heldLength[seq], behind, false);
        }
        int[] draft = new int[count];
        int next = last;
        for (int i = 0; i < count; i++) {
            decode(seq, new int[] {next}, 0, 1, true);
            next = argmax(ctx.logits(0));
            if (model.endsGeneration(next)) {
                return Arrays.copyOf(draft, i);
            }
            draft[i] = next;
        }
        return draft;
    }

    private void decode(int seq, int[] tokens, int offset, int count, boolean output) throws EngineException {
        ctx.addPrompt(tokens, offset, count, heldLength[seq], seq, output);
        ctx.decode();
        int[] mine = held[seq];
        if (mine.length < heldLength[seq] + count) {
            mine = Arrays.copyOf(mine, Math.max(mine.length * 2, heldLength[seq] + count + 256));
            held[seq] = mine;
        }
        System.arraycopy(tokens, offset, mine, heldLength[seq], count);
        heldLength[seq] += count;
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public void close() {
        ctx.close();
        model.close();
    }
}
