package io.modeld.inference;

import io.modeld.ModeldException;
import io.modeld.engine.Sampling;
import java.util.List;
import java.util.Map;

/**
 * What a generation may be told, each field null when not said: sampling, how many tokens, the context
 * to load with, stop strings and a grammar. The one options merge of every front door: the built-in
 * {@link #DEFAULTS}, then the model's own parameters (a Modelfile's {@code PARAMETER}s,
 * {@link #fromModelfile}), then the request's, each later non-null field winning ({@link #over}), as
 * Ollama merges defaults, the model's and the request's options in front of one handler.
 *
 * @param maxTokens tokens to generate at most; negative: until the model stops or the context is full
 * @param context the context to load the model with, in tokens
 * @param gpuLayers the layers to load the model with on the GPU (Ollama's {@code num_gpu}; -1 as many as fit)
 */
public record Options(Float temperature, Integer topK, Float topP, Float minP, Float typicalP, Long seed,
                      Float repeatPenalty, Integer repeatLastN, Float presencePenalty, Float frequencyPenalty,
                      Integer maxTokens, Integer context, List<String> stop, String grammar, Integer gpuLayers) {

    /** Options that say nothing of the GPU: the doors but Ollama's. */
    public Options(Float temperature, Integer topK, Float topP, Float minP, Float typicalP, Long seed,
                   Float repeatPenalty, Integer repeatLastN, Float presencePenalty, Float frequencyPenalty,
                   Integer maxTokens, Integer context, List<String> stop, String grammar) {
        this(temperature, topK, topP, minP, typicalP, seed, repeatPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, maxTokens, context, stop, grammar, null);
    }

    /** Tokens generated when nothing limits them but the end of the model's answer or of its context. */
    public static final int UNLIMITED = -1;

    /** The engine's sampling defaults ({@link Sampling#DEFAULT}, Ollama's), until the end, no stop string. */
    public static final Options DEFAULTS = of(Sampling.DEFAULT);

    private static Options of(Sampling s) {
        return new Options(s.temperature(), s.topK(), s.topP(), s.minP(), s.typicalP(), s.seed(), s.repeatPenalty(),
                s.repeatLastN(), s.presencePenalty(), s.frequencyPenalty(), UNLIMITED, null, List.of(), s.grammar());
    }

    /** Nothing said. */
    public static final Options NONE = new Options(null, null, null, null, null, null, null, null, null, null, null,
            null, null, null);

    /** These options with {@code request}'s non-null fields in place of their own. */
    public Options over(Options request) {
        return new Options(or(request.temperature, temperature), or(request.topK, topK), or(request.topP, topP),
                or(request.minP, minP), or(request.typicalP, typicalP), or(request.seed, seed),
                or(request.repeatPenalty, repeatPenalty), or(request.repeatLastN, repeatLastN),
                or(request.presencePenalty, presencePenalty), or(request.frequencyPenalty, frequencyPenalty),
                or(request.maxTokens, maxTokens), or(request.context, context),
                request.stop != null && !request.stop.isEmpty() ? request.stop : stop, or(request.grammar, grammar),
                or(request.gpuLayers, gpuLayers));
    }

    private static <T> T or(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    /** This one with a grammar (the output's JSON schema, say). */
    public Options withGrammar(String g) {
        return new Options(temperature, topK, topP, minP, typicalP, seed, repeatPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, maxTokens, context, stop, g, gpuLayers);
    }

    /** The sampler settings, once merged over {@link #DEFAULTS}. */
    Sampling sampling() {
        return new Sampling(temperature, topK, topP, minP, typicalP, seed, repeatPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, grammar);
    }

    /**
     * A Modelfile's {@code PARAMETER}s in Ollama's names ({@code temperature}, {@code top_k}, {@code num_predict},
     * {@code num_ctx}, {@code num_gpu}, {@code stop}, ...); unknown names are ignored, as Ollama ignores them. A value of the
     * wrong type is the model's fault and names it.
     */
    public static Options fromModelfile(Map<String, Object> p) {
        if (p == null || p.isEmpty()) {
            return NONE;
        }
        Object stop = p.get("stop");
        List<String> stops = stop instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                : stop instanceof String s ? List.of(s) : null;
        return new Options(f(p, "temperature"), i(p, "top_k"), f(p, "top_p"), f(p, "min_p"), f(p, "typical_p"),
                l(p, "seed"), f(p, "repeat_penalty"), i(p, "repeat_last_n"), f(p, "presence_penalty"),
                f(p, "frequency_penalty"), i(p, "num_predict"), i(p, "num_ctx"), stops, null, i(p, "num_gpu"));
    }

    private static Number number(Map<String, Object> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n;
        }
        try {
            return Double.parseDouble(String.valueOf(v).strip());
        } catch (NumberFormatException e) {
            throw ModeldException.invalid("the model's parameter " + key + " is not a number: " + v);
        }
    }

    private static Float f(Map<String, Object> p, String key) {
        Number n = number(p, key);
        return n == null ? null : n.floatValue();
    }

    private static Integer i(Map<String, Object> p, String key) {
        Number n = number(p, key);
        return n == null ? null : n.intValue();
    }

    private static Long l(Map<String, Object> p, String key) {
        Number n = number(p, key);
        return n == null ? null : n.longValue();
    }
}
