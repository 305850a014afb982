package io.modeld.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;

/**
 * Generates text on one model with one context holding {@code parallel} sequences (slots), as llama-server
 * does: every {@link #step} is one {@code llama_decode} with the next token of each generating slot and
 * chunks of the prompts of new ones (continuous batching), so four requests at once read the weights once
 * per token, not four times. Each slot remembers the tokens in its own stream of the KV cache; a new
 * request takes the free slot whose cache shares the longest prefix with its prompt, so the next turn of a
 * conversation decodes only what is new; behind the slots, a {@link PromptCache} keeps what they held before
 * they were given to other prompts. Used by one thread.
 */
public final class Generator implements AutoCloseable {

    private static final int MAX_BATCH = 2048;
    /** Prompt tokens a step takes while other slots generate, so they keep answering during a long prompt. */
    private static final int SHARED_STEP = 512;

    final LlamaModel model;
    final LlamaContext ctx;
    private final Slot[] slots;
    private final PromptCache cache;
    /** Whether a slot running alone drafts tokens by n-gram lookup ({@link Drafter}). */
    private volatile boolean speculate;
    /** A smaller model of the same vocabulary that drafts when the lookup finds nothing; null for none. */
    DraftModel draftModel;
    /** What a decode of one slot running alone costs, by its length: what a draft is weighed against. */
    final DecodeCost decodeCost = new DecodeCost();
    final int slotContext;
    private long clock;
    private Generation.Watch watch = Generation.Watch.NONE;
    /** Why the decode being aborted is aborted: the failure its jobs get unless their client left. */
    private volatile String abortReason;

    private Generator(LlamaModel model, LlamaContext ctx, int parallel, PromptCache cache) {
        this.model = model;
        this.ctx = ctx;
        this.cache = cache;
        this.slots = new Slot[parallel];
        for (int i = 0; i < parallel; i++) {
            slots[i] = new Slot(this, i);
        }
        this.slotContext = ctx.contextSize / parallel;
    }

    /** One slot with a context of {@code contextSize} tokens (tests, benchmarks). */
    public static Generator create(LlamaModel model, int contextSize, int threads) throws EngineException {
        return create(model, contextSize, 1, threads, KvCache.DEFAULT);
    }

    /**
     * A generator of {@code parallel} slots of {@code contextSize} tokens each (one KV cache of their sum,
     * unified), decoding on {@code threads} threads. It runs one decode before it returns (as llama.cpp's own
     * tools warm up): the first decodes of a new context are many times slower than the rest, and that
     * belongs to the load, not the first answer.
     */
    public static Generator create(LlamaModel model, int contextSize, int parallel, int threads, KvCache kv)
            throws EngineException {
        return create(model, contextSize, parallel, threads, kv, PromptCache.Settings.NONE);
    }

    /** The same with a prompt cache behind the slots ({@link PromptCache.Settings#NONE}: none). */
    public static Generator create(LlamaModel model, int contextSize, int parallel, int threads, KvCache kv,
                                   PromptCache.Settings cache) throws EngineException {
        int total = contextSize * parallel;
        int batch = Math.min(MAX_BATCH, total);
        LlamaContext ctx = LlamaContext.create(model, new LlamaContext.Settings(total, batch, parallel, threads,
                false, LlamaContext.Pooling.MODEL, kv));
        try {
            int[] warm = model.tokenize("", true, false);
            int[] one = warm.length > 0 ? warm : new int[] {0};
            ctx.add(one, 0, 1, 0, 0, true);
            ctx.decode();
            ctx.clear();
        } catch (EngineException | RuntimeException e) {
            ctx.close();
            throw e;
        }
        Generator g = new Generator(model, ctx, parallel, PromptCache.open(cache));
        if (model.engine.chat() != null) {
            ctx.abortable(model.engine.chat().abortCheck());
        }
        return g;
    }

    /** Tells {@code watch} what each step does from now on. */
    public void watch(Generation.Watch watch) {
        this.watch = watch;
    }

    /**
     * Aborts decode {@code step} if it is still running (any thread may call it; a later step is never
     * touched): its jobs end, as stopped when their client left, else failed with {@code reason}. False when
     * decodes cannot be aborted (a llama.cpp without modeld's chat layer).
     */
    public boolean abort(long step, String reason) {
        abortReason = reason;
        return ctx.abort(step);
    }

    /** Each slot's context in tokens, as llama.cpp made it. */
    public int contextSize() {
        return slotContext;
    }

    public int parallel() {
        return slots.length;
    }

    /** Whether no slot is generating. */
    public boolean idle() {
        return Arrays.stream(slots).allMatch(s -> s.job == null);
    }

    /** Whether a slot is free for {@link #start}. */
    public boolean hasFree() {
        return freeSlots() > 0;
    }

    /** How many slots are free for {@link #start}. */
    public int freeSlots() {
        int n = 0;
        for (Slot s : slots) {
            if (s.job == null) {
                n++;
            }
        }
        return n;
    }

    /**
     * Starts a generation in a free slot (the one whose cache shares most with the prompt); {@link #step}
     * then runs it. INPUT when the prompt is empty or does not fit a slot's context.
     */
    public void start(Generation.Job job) throws EngineException {
        start(job, cached -> { });
    }

    /**
     * The same, telling {@code started} how many of the prompt's tokens the slot's cache holds once the prompt
     * is known to fit, before the job can end.
     */
    public void start(Generation.Job job, java.util.function.IntConsumer started) throws EngineException {
        int[] prompt = job.request().prompt();
        if (prompt.length == 0) {
            throw new EngineException(EngineException.Kind.INPUT, "the prompt is empty");
        }
        if (prompt.length >= slotContext) {
            throw new EngineException(EngineException.Kind.INPUT, "the prompt is " + prompt.length
                    + " tokens but the model's context holds " + slotContext + "; shorten it or load the model "
                    + "with a larger context");
        }
        Slot best = null;
        int bestShared = -1;
        for (Slot s : slots) {
            if (s.job != null) {
                continue;
            }
            int shared = s.commonPrefix(prompt);
            if (shared > bestShared || shared == bestShared && s.lastUsed < best.lastUsed) {
                best = s;
                bestShared = shared;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no free slot: start only when hasFree()");
        }
        if (cache.enabled() && bestShared < prompt.length - 1) {
            Slot restored = restore(prompt, bestShared);
            if (restored != null) {
                best = restored;
            } else {
                stash(best, Math.min(bestShared, prompt.length - 1));
            }
            bestShared = best.commonPrefix(prompt);   // a restore that failed emptied its slot
        }
        int reuse = Math.min(bestShared, prompt.length - 1);
        MediaPrompt media = job.request().media();
        if (media != null) {
            if (media.endsWithMedia()) {
                throw new EngineException(EngineException.Kind.INPUT,
                        "the prompt ends with a media item; text must follow it");
            }
            reuse = media.snap(reuse);
        }
        started.accept(reuse);
        best.begin(job, reuse);
    }

    /**
     * Puts the cached state sharing most with {@code prompt} (more than {@code atLeast}) into the least recently
     * used free slot, whose own content goes to the cache first; that slot, or null when nothing was restored.
     */
    private Slot restore(int[] prompt, int atLeast) {
        try (PromptCache.Hit hit = cache.find(prompt, atLeast)) {
            if (hit == null) {
                return null;
            }
            Slot target = null;
            for (Slot s : slots) {
                if (s.job == null && (target == null || s.lastUsed < target.lastUsed)) {
                    target = s;
                }
            }
            // its state is copied out before the hit's goes in, and kept after: keeping may evict the hit's entry
            com.sun.jna.Memory old = target.cachedLength >= PromptCache.MIN_TOKENS ? ctx.saveSequence(target.seq) : null;
            int[] oldTokens = Arrays.copyOf(target.cached, target.cachedLength);
            boolean oldKeep = target.keep;
            boolean ok = ctx.restoreSequence(target.seq, hit.state, hit.size);
            target.cached = ok ? hit.tokens.clone() : new int[0];
            target.cachedLength = ok ? hit.tokens.length : 0;
            if (old != null) {
                cache.keep(oldTokens, old, oldKeep);
            }
            return ok ? target : null;
        }
    }

    /** Keeps what {@code slot} holds in the cache when a new prompt keeping only {@code reuse} of it would lose it. */
    private void stash(Slot slot, int reuse) {
        if (slot.cachedLength - reuse >= PromptCache.MIN_TOKENS) {
            com.sun.jna.Memory state = ctx.saveSequence(slot.seq);
            if (state != null) {
                cache.keep(Arrays.copyOf(slot.cached, slot.cachedLength), state, slot.keep);
            }
        }
    }

    /**
     * Writes what the slots and the RAM tier hold to the cache's disk tier (the model is about to unload), the
     * slots last: they are the most recent.
     */
    public void persist() {
        if (!cache.enabled()) {
            return;
        }
        cache.persist();
        for (Slot s : slots) {
            if (s.cachedLength >= PromptCache.MIN_TOKENS) {
                com.sun.jna.Memory state = ctx.saveSequence(s.seq);
                if (state != null) {
                    cache.persist(Arrays.copyOf(s.cached, s.cachedLength), state, s.keep);
                }
            }
        }
    }

    /** llama-server's slot API on this generator's slots: list, save, restore, erase. */
    public SlotFiles slotFiles() {
        return new SlotFiles(this, slots, cache.key());
    }

    /**
     * Gives the generator a draft model ({@code draft}, which it then owns and closes): a smaller model of the
     * same vocabulary that drafts when the n-gram lookup finds nothing, drafting being on. INPUT (and
     * {@code draft} closed) when its vocabulary is not this model's.
     */
    public void draftWith(LlamaModel draft, int threads) throws EngineException {
        try {
            DraftModel d = DraftModel.create(draft, model, slotContext, slots.length, threads);
            if (draftModel != null) {
                draftModel.close();
            }
            draftModel = d;
        } catch (EngineException | RuntimeException e) {
            draft.close();
            throw e;
        }
    }

    /** Turns n-gram drafting on or off for the generations to come. */
    public void speculate(boolean on) {
        speculate = on;
    }

    /** Tokens drafted by n-gram lookup, and how many of them the model kept. */
    public record DraftCounts(long drafted, long accepted) {
    }

    /** The drafts over this generator's life. */
    public DraftCounts draftCounts() {
        long drafted = 0;
        long accepted = 0;
        for (Slot s : slots) {
            drafted += s.drafter.drafted;
            accepted += s.drafter.accepted;
        }
        return new DraftCounts(drafted, accepted);
    }

    /** What the prompt cache holds and how it served. */
    public PromptCache.Stats cacheStats() {
        return cache.stats();
    }

    /** Runs one decode for every active slot; calls their outputs and, for those that end, done. */
    public void step() throws EngineException {
        List<Slot> active = new ArrayList<>();
        for (Slot s : slots) {
            if (s.job != null && !s.abandonedBeforeOutput()) {
                active.add(s);
            }
        }
        active.removeIf(s -> s.pending < 0 && s.media != null && !readMedia(s));
        if (active.isEmpty()) {
            return;
        }
        boolean generating = false;
        long[] ids = new long[active.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = active.get(i).job.id();
        }
        // drafts only when one slot runs alone: with others, the batch already reads the weights for several tokens
        boolean alone = speculate && active.size() == 1;
        for (Slot s : active) {
            if (s.pending >= 0) {
                s.outIndex = ctx.pending();
                s.draft = alone ? s.propose() : Slot.NONE;
                int[] tokens = new int[1 + s.draft.length];
                tokens[0] = s.pending;
                System.arraycopy(s.draft, 0, tokens, 1, s.draft.length);
                s.added = tokens.length;
                ctx.add(tokens, 0, tokens.length, s.pos(s.cachedLength), s.seq, s.draft.length == 0);
                generating = true;
            }
        }
        int room = Math.min(ctx.batchSize - ctx.pending(), generating ? SHARED_STEP : ctx.batchSize);
        for (Slot s : active) {
            if (s.pending < 0 && room > 0) {
                int[] prompt = s.job.request().prompt();
                int end = s.media == null ? prompt.length : s.media.textEnd(s.cachedLength);
                int n = Math.min(room, end - s.cachedLength);
                boolean last = s.cachedLength + n == prompt.length;
                s.outIndex = last ? ctx.pending() + n - 1 : -1;
                s.added = n;
                ctx.addPrompt(prompt, s.cachedLength, n, s.pos(s.cachedLength), s.seq, last);
                room -= n;
            }
        }
        long step = ctx.nextStep();
        watch.decoding(step, ids);
        boolean decoded;
        Slot timed = alone && active.get(0).pending >= 0 ? active.get(0) : null;
        int timedTokens = timed == null ? 0 : timed.added;
        long began = System.nanoTime();
        try {
            decoded = ctx.decode(step);
            if (timed != null && decoded) {
                decodeCost.observe(timedTokens, System.nanoTime() - began);
            }
        } catch (EngineException e) {
            watch.stepDone();
            failAll(e);
            throw e;
        }
        if (!decoded) {
            watch.stepDone();
            aborted(active);
            return;
        }
        for (Slot s : active) {
            if (s.added == 0) {
                continue;
            }
            boolean drafted = s.pending >= 0 && s.draft.length > 0;
            int[] source = s.pending >= 0 ? new int[] {s.pending} : s.job.request().prompt();
            s.remember(source, s.pending >= 0 ? 0 : s.cachedLength, s.pending >= 0 ? 1 : s.added);
            s.added = 0;
            if (s.outIndex >= 0) {
                if (s.promptDone == 0) {
                    s.promptDone = System.nanoTime();
                }
                watch.sampling(s.job.id());
                if (drafted) {
                    s.nextDrafted(s.outIndex);
                } else {
                    s.next(s.outIndex);
                }
                s.outIndex = -1;
            }
        }
        watch.stepDone();
    }

    /**
     * Puts the media items that come next in {@code s}'s prompt into its sequence, each a decode of its own (as
     * llama-server reads them): the image or clip encoded by the projector, its embeddings decoded. False when that
     * failed: the job has ended, failed, and what the item left in the cache is gone.
     */
    private boolean readMedia(Slot s) {
        MediaPrompt.Item item;
        while ((item = s.media.at(s.cachedLength)) != null) {
            long step = ctx.nextStep();
            watch.decoding(step, new long[] {s.job.id()});
            try {
                ctx.running(step);
                s.media.projector().decode(ctx, item, s.pos(s.cachedLength), s.seq, false);
            } catch (EngineException e) {
                ctx.forgetFrom(s.seq, s.pos(s.cachedLength));
                s.fail(e);
                return false;
            } finally {
                watch.stepDone();
            }
            s.remember(s.job.request().prompt(), s.cachedLength, item.tokens());
        }
        return true;
    }

    /**
     * After an aborted decode: what it added is dropped from each slot's cache (part of it may be there), and
     * its jobs end, stopped when their client left, otherwise failed with the abort's reason.
     */
    private void aborted(List<Slot> active) {
        EngineException why = new EngineException(EngineException.Kind.DEADLINE, abortReason == null
                ? "the decode was aborted" : abortReason);
        for (Slot s : active) {
            if (s.added == 0) {
                continue;
            }
            s.added = 0;
            s.outIndex = -1;
            s.draft = Slot.NONE;
            if (!ctx.forgetFrom(s.seq, s.pos(s.cachedLength))) {
                ctx.forgetFrom(s.seq, 0);
                s.cachedLength = 0;
            }
            if (s.job.abandon().getAsBoolean()) {
                s.end(Generation.Finish.STOP);
            } else {
                s.fail(why);
            }
        }
    }

    /**
     * Runs one generation to its end, alone (nothing else may be running), with the sampler every plain prompt
     * gets; {@code abandon} is asked after every token.
     */
    public Generation.Result generate(Generation.Request r, Generation.Output out, BooleanSupplier abandon)
            throws EngineException {
        try (TokenSampler sampler = Generation.sampler(model, r.sampling(), r.ignoreEos())) {
            return generate(r, sampler, t -> false, out, abandon);
        }
    }

    /** The same with a sampler of the caller's and the special tokens whose text is shown. */
    public Generation.Result generate(Generation.Request r, TokenSampler sampler, IntPredicate shown,
                                      Generation.Output out, BooleanSupplier abandon) throws EngineException {
        Generation.Result[] result = new Generation.Result[1];
        start(new Generation.Job(0, r, sampler, shown, out, abandon, done -> result[0] = done, failed -> { }));
        while (result[0] == null) {
            step();
        }
        return result[0];
    }

    /** Ends every generation with {@code e} and forgets the cache (after a failed decode, or to unload). */
    public void failAll(EngineException e) {
        ctx.clear();
        for (Slot s : slots) {
            s.cachedLength = 0;
            if (s.job != null) {
                Generation.Job job = s.job;
                s.job = null;
                job.failed().accept(e);
            }
        }
    }

    /** The next number of the least-recently-used order of slots. */
    long tick() {
        return ++clock;
    }

    @Override
    public void close() {
        cache.close();
        if (draftModel != null) {
            draftModel.close();
        }
        ctx.close();
    }

}
