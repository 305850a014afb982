package io.modeld.engine;

import java.util.Arrays;

/**
 * One sequence of a {@link Generator}'s context: the tokens in its part of the cache, and the generation it
 * runs (its text, limits, timing). Used by the generator's thread alone.
 */
final class Slot {

    private final Generator owner;
    final int seq;
    int[] cached = new int[0];
    int cachedLength;
    long lastUsed;
    /** Whether the last job's prefix is one the prompt cache keeps before others ({@link Generation.Request#keep}). */
    boolean keep;
    Generation.Job job;
    TextAssembler text;
    int reused;
    int generated;
    int pending = -1;
    int outIndex = -1;
    int added;
    long started;
    long promptDone;
    /** Proposals decoded with {@link #pending} in this step, checked as the tokens after it are sampled. */
    int[] draft = NONE;
    final Drafter drafter = new Drafter();
    static final int[] NONE = new int[0];
    /** The media among the last job's prompt tokens (what positions its tokens take); null for none. */
    MediaPrompt media;
    /** The log-probabilities of the tokens generated so far, when the job asked for them; else null. */
    private java.util.List<TokenLogprob> probs;

    Slot(Generator owner, int seq) {
        this.owner = owner;
        this.seq = seq;
    }

    int commonPrefix(int[] prompt) {
        int n = Math.min(cachedLength, prompt.length);
        int i = 0;
        while (i < n && cached[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    /** The position in the model's sequence of this slot's token {@code index}. */
    int pos(int index) {
        return media == null ? index : media.position(index);
    }

    void begin(Generation.Job j, int reuse) throws EngineException {
        media = j.request().media();
        if (reuse < cachedLength && !owner.ctx.forgetFrom(seq, pos(reuse))) {
            if (!owner.ctx.forgetFrom(seq, 0)) {
                throw new EngineException(EngineException.Kind.RUNTIME, "llama.cpp could not free a slot's cache");
            }
            reuse = 0;
        }
        cachedLength = reuse;
        job = j;
        keep = j.request().keep();
        reused = reuse;
        generated = 0;
        probs = j.request().logprobs() >= 0 ? new java.util.ArrayList<>() : null;
        pending = -1;
        outIndex = -1;
        added = 0;
        promptDone = 0;
        started = System.nanoTime();
        text = new TextAssembler(j.request().stop(), j.out());
        if (j.request().maxTokens() <= 0) {
            promptDone = started;
            end(Generation.Finish.LENGTH);
        }
    }

    /** A client that left while its prompt was read: end it before spending a decode on it. */
    boolean abandonedBeforeOutput() {
        if (pending < 0 && job.abandon().getAsBoolean()) {
            promptDone = System.nanoTime();
            end(Generation.Finish.STOP);
            return true;
        }
        return false;
    }

    /** Proposals to decode with {@link #pending}, from what this slot holds (none when its context is near full). */
    int[] propose() {
        int room = owner.slotContext - cachedLength - 2;
        DraftModel model = media == null ? owner.draftModel : null;   // it would read the media's placeholders
        int[] d = room <= 0 ? NONE : drafter.propose(cached, cachedLength, pending, room, model == null ? null
                : count -> model.propose(seq, cached, cachedLength, pending, count), owner.decodeCost);
        for (int i = 0; i < d.length; i++) {
            if (d[i] < 0) {   // what followed a media item's placeholders: no token to decode
                return Arrays.copyOf(d, i);
            }
        }
        return d;
    }

    /**
     * After a decode of {@link #pending} and the {@link #draft} behind it (outputs from {@code index} on): samples
     * the token after each in turn, as {@link #next} does, keeping each proposal that is the token sampled before
     * it (its cache is then right) and stopping at the first that is not; what was decoded past the last kept one
     * leaves the cache.
     */
    void nextDrafted(int index) {
        int[] d = draft;
        draft = NONE;
        int kept = 0;
        for (int i = 0; ; i++) {
            next(index + i);
            if (job == null || i >= d.length || pending != d[i]) {
                break;
            }
            remember(d, i, 1);   // decoded already, at the position it needs
            kept++;
        }
        drafter.checked(d.length, kept);
        if (kept < d.length) {
            owner.ctx.forgetFrom(seq, pos(cachedLength));
        }
    }

    /** Samples the token after output {@code index} of the batch just decoded, and hands it on. */
    void next(int index) {
        Generation.Request r = job.request();
        int token;
        try {
            token = job.sampler().sample(owner.ctx, index);
        } catch (EngineException e) {
            fail(e);   // this generation only: the other slots go on
            return;
        }
        pending = -1;
        if (probs != null && !owner.model.endsGeneration(token)) {
            probs.add(TokenLogprob.of(owner.ctx.logits(index), token, r.logprobs(), owner.model, job.shown()));
        }
        if (!r.ignoreEos() && owner.model.endsGeneration(token)) {
            end(Generation.Finish.STOP);
            return;
        }
        generated++;
        boolean stop;
        try {
            stop = text.add(owner.model.piece(token, job.shown().test(token)));
        } catch (RuntimeException gone) {
            end(Generation.Finish.STOP);
            return;
        }
        if (stop || job.abandon().getAsBoolean()) {
            end(Generation.Finish.STOP);
        } else if (generated >= r.maxTokens() || cachedLength + 1 >= owner.slotContext) {
            end(Generation.Finish.LENGTH);
        } else {
            pending = token;
        }
    }

    /** Ends the job with a failure; what its slot holds stays valid for the next one. */
    void fail(EngineException e) {
        Generation.Job j = job;
        job = null;
        pending = -1;
        lastUsed = owner.tick();
        j.failed().accept(e);
    }

    void end(Generation.Finish finish) {
        try {
            text.finish();
        } catch (RuntimeException gone) {
            // the client left; its result still goes to done
        }
        long now = System.nanoTime();
        Generation.Job j = job;
        job = null;
        pending = -1;
        lastUsed = owner.tick();
        j.done().accept(new Generation.Result(j.request().prompt().length, reused, generated, finish,
                promptDone - started, now - promptDone, text.matched(), probs));
    }

    void remember(int[] tokens, int offset, int count) {
        if (cached.length < cachedLength + count) {
            cached = Arrays.copyOf(cached, Math.max(cached.length * 2, cachedLength + count + 256));
        }
        System.arraycopy(tokens, offset, cached, cachedLength, count);
        cachedLength += count;
    }
}
