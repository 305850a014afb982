package io.modeld.engine;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A llama.cpp sampler chain built from {@link Sampling}: the grammar first (it rules tokens out), then
 * the bias against ending (for {@code ignore_eos}), the penalties, top-k, typical, top-p, min-p, the
 * temperature, and the draw. {@code llama_sampler_sample} applies it and accepts the chosen token.
 */
final class SamplerChain implements TokenSampler {

    private final LlamaLibrary llama;
    private Pointer chain;

    private SamplerChain(LlamaLibrary llama, Pointer chain) {
        this.llama = llama;
        this.chain = chain;
    }

    static SamplerChain of(LlamaModel model, Sampling s, boolean ignoreEos) throws EngineException {
        LlamaLibrary llama = model.llama;
        Structs.SamplerChainParams.ByValue params = llama.llama_sampler_chain_default_params();
        SamplerChain c = new SamplerChain(llama, llama.llama_sampler_chain_init(params));
        try {
            if (s.grammar() != null && !s.grammar().isBlank()) {
                model.engine.clearLog();
                Pointer g = LlamaEngine.orNull(llama.llama_sampler_init_grammar(model.vocab, s.grammar(), "root"));
                if (g == null) {
                    throw new EngineException(EngineException.Kind.INPUT, "the grammar does not parse"
                            + model.engine.logSummary());
                }
                c.add(g);
            }
            if (ignoreEos) {
                int[] eog = model.endOfGenerationTokens();
                if (eog.length > 0) {
                    Memory bias = new Memory(8L * eog.length);
                    for (int i = 0; i < eog.length; i++) {
                        bias.setInt(8L * i, eog[i]);
                        bias.setFloat(8L * i + 4, Float.NEGATIVE_INFINITY);
                    }
                    c.add(llama.llama_sampler_init_logit_bias(model.vocabularySize(), eog.length, bias));
                }
            }
            if (s.repeatPenalty() != 1f || s.presencePenalty() != 0f || s.frequencyPenalty() != 0f) {
                c.add(llama.llama_sampler_init_penalties(model.vocabularySize(), s.repeatLastN(), s.repeatPenalty(),
                        s.frequencyPenalty(), s.presencePenalty()));
            }
            if (s.temperature() <= 0) {
                c.add(llama.llama_sampler_init_greedy());
                return c;
            }
            if (s.topK() > 0) {
                c.add(llama.llama_sampler_init_top_k(s.topK()));
            }
            if (s.typicalP() > 0 && s.typicalP() < 1) {
                c.add(llama.llama_sampler_init_typical(s.typicalP(), 1));
            }
            if (s.topP() > 0 && s.topP() < 1) {
                c.add(llama.llama_sampler_init_top_p(s.topP(), 1));
            }
            if (s.minP() > 0) {
                c.add(llama.llama_sampler_init_min_p(s.minP(), 1));
            }
            c.add(llama.llama_sampler_init_temp(s.temperature()));
            c.add(llama.llama_sampler_init_dist(s.seed() < 0 ? 0xFFFFFFFF : (int) s.seed()));
            return c;
        } catch (EngineException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void add(Pointer sampler) {
        llama.llama_sampler_chain_add(chain, sampler);
    }

    @Override
    public int sample(LlamaContext ctx, int index) {
        return llama.llama_sampler_sample(chain, ctx.pointer(), index);
    }

    @Override
    public void close() {
        if (chain != null) {
            llama.llama_sampler_free(chain);
            chain = null;
        }
    }
}
