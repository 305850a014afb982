package io.modeld.engine;

/**
 * How the next token is chosen. {@link #DEFAULT} is where modeld's defaults are written, once: Ollama's
 * (temperature 0.8, top-k 40, top-p 0.9, no penalty over the last 64 tokens), which the inference core's
 * options start from and the chat layer's sampler is always given in full. A temperature of 0 or less picks
 * the most likely token. {@code seed} -1 draws a random seed.
 *
 * @param repeatLastN how many recent tokens the repetition, presence and frequency penalties look at
 * @param grammar a GBNF grammar the output must follow, or null
 */
public record Sampling(float temperature, int topK, float topP, float minP, float typicalP, long seed,
                       float repeatPenalty, int repeatLastN, float presencePenalty, float frequencyPenalty,
                       String grammar) {

    public static final Sampling DEFAULT = new Sampling(0.8f, 40, 0.9f, 0f, 1f, -1, 1f, 64, 0f, 0f, null);

    public Sampling withTemperature(float t) {
        return new Sampling(t, topK, topP, minP, typicalP, seed, repeatPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, grammar);
    }

    public Sampling withSeed(long s) {
        return new Sampling(temperature, topK, topP, minP, typicalP, s, repeatPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, grammar);
    }

    /**
     * The settings of llama-server's sampler (the chat layer's), every one given: {@code ignoreEos} biases
     * the end of generation away; a grammar here is the user's (a response format).
     */
    public com.fasterxml.jackson.databind.node.ObjectNode settings(boolean ignoreEos) {
        com.fasterxml.jackson.databind.node.ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                .objectNode().put("temperature", temperature).put("top_k", topK).put("top_p", topP).put("min_p", minP)
                .put("typical_p", typicalP).put("repeat_penalty", repeatPenalty).put("repeat_last_n", repeatLastN)
                .put("presence_penalty", presencePenalty).put("frequency_penalty", frequencyPenalty)
                .put("ignore_eos", ignoreEos).put("seed", seed < 0 ? 0xFFFFFFFFL : seed);
        if (grammar != null && !grammar.isBlank()) {
            o.put("grammar", grammar);
        }
        return o;
    }

    public Sampling withGrammar(String g) {
        return new Sampling(temperature, topK, topP, minP, typicalP, seed, repeatPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, g);
    }
}
