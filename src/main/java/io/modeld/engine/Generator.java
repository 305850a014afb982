package io.modeld.engine;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Generates text on one model with one context. The tokens in the KV cache are remembered, so a
 * prompt that begins like the last one (the next turn of a conversation) decodes only what is new.
 */
public final class Generator implements AutoCloseable {

    private static final int MAX_BATCH = 2048;

    private final LlamaModel model;
    private final LlamaContext ctx;
    private int[] cached = new int[0];
    private int cachedLength;

    private Generator(LlamaModel model, LlamaContext ctx) {
        this.model = model;
        this.ctx = ctx;
    }

    /**
     * A generator with a context of {@code contextSize} tokens, decoding on {@code threads} threads. It
     * runs one decode before it returns (as llama.cpp's own tools warm up): the first decodes of a new
     * context are many times slower than the rest, and that belongs to the load, not the first answer.
     */
    public static Generator create(LlamaModel model, int contextSize, int threads) throws EngineException {
        int batch = Math.min(MAX_BATCH, contextSize);
        LlamaContext ctx = LlamaContext.create(model, new LlamaContext.Settings(contextSize, batch, 1, threads,
                false, LlamaContext.Pooling.MODEL));
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
        return new Generator(model, ctx);
    }

    /** The context's size in tokens, as llama.cpp made it. */
    public int contextSize() {
        return ctx.contextSize;
    }

    /**
     * Runs the generation, giving {@code out} the text as it comes. {@code abandon} is asked after every
     * token: when it says true, the generation ends at once (the client left).
     */
    public Generation.Result generate(Generation.Request r, Generation.Output out, BooleanSupplier abandon)
            throws EngineException {
        try (SamplerChain sampler = SamplerChain.of(model, r.sampling(), r.ignoreEos())) {
            return generate(r, sampler, t -> false, out, abandon);
        }
    }

    /**
     * The same with a sampler of the caller's (llama-server's, for a chat with tools), and the tokens whose
     * text is shown though they are special ({@code shown}: a template's tool-call and thinking markers,
     * which its output parser must see).
     */
    public Generation.Result generate(Generation.Request r, TokenSampler sampler, java.util.function.IntPredicate shown,
                                      Generation.Output out, BooleanSupplier abandon) throws EngineException {
        int[] prompt = r.prompt();
        if (prompt.length == 0) {
            throw new EngineException(EngineException.Kind.INPUT, "the prompt is empty");
        }
        if (prompt.length >= ctx.contextSize) {
            throw new EngineException(EngineException.Kind.INPUT, "the prompt is " + prompt.length
                    + " tokens but the model's context holds " + ctx.contextSize + "; shorten it or load the model "
                    + "with a larger context");
        }
        long start = System.nanoTime();
        int reuse = Math.min(commonPrefix(prompt), prompt.length - 1);
        if (reuse < cachedLength && !ctx.forgetFrom(reuse)) {
            ctx.clear();
            reuse = 0;
        }
        cachedLength = reuse;
        try {
            for (int at = reuse; at < prompt.length; ) {
                int n = Math.min(ctx.batchSize, prompt.length - at);
                ctx.add(prompt, at, n, at, 0, true);
                ctx.decode();
                remember(prompt, at, n);
                at += n;
            }
            long promptDone = System.nanoTime();
            TextAssembler text = new TextAssembler(r.stop(), out);
            int generated = 0;
            Generation.Finish finish = Generation.Finish.LENGTH;
            int[] one = new int[1];
            while (generated < r.maxTokens()) {
                int token = sampler.sample(ctx, -1);
                if (!r.ignoreEos() && model.endsGeneration(token)) {
                    finish = Generation.Finish.STOP;
                    break;
                }
                generated++;
                if (text.add(model.piece(token, shown.test(token)))) {
                    finish = Generation.Finish.STOP;
                    break;
                }
                if (abandon.getAsBoolean()) {
                    finish = Generation.Finish.STOP;
                    break;
                }
                if (generated == r.maxTokens() || cachedLength + 1 >= ctx.contextSize) {
                    finish = Generation.Finish.LENGTH;
                    break;
                }
                one[0] = token;
                ctx.add(one, 0, 1, cachedLength, 0, true);
                ctx.decode();
                remember(one, 0, 1);
            }
            text.finish();
            long end = System.nanoTime();
            return new Generation.Result(prompt.length, reuse, generated, finish, promptDone - start, end - promptDone);
        } catch (EngineException | RuntimeException e) {
            ctx.clear();
            cachedLength = 0;
            throw e;
        }
    }

    private int commonPrefix(int[] prompt) {
        int n = Math.min(cachedLength, prompt.length);
        int i = 0;
        while (i < n && cached[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    private void remember(int[] tokens, int offset, int count) {
        if (cached.length < cachedLength + count) {
            cached = Arrays.copyOf(cached, Math.max(cached.length * 2, cachedLength + count + 256));
        }
        System.arraycopy(tokens, offset, cached, cachedLength, count);
        cachedLength += count;
    }

    @Override
    public void close() {
        ctx.close();
    }
}
