package io.modeld.engine;

/**
 * How the next token is chosen. Defaults are Ollama's (temperature 0.8, top-k 40, top-p 0.9); a
 * temperature of 0 or less picks the most likely token. {@code seed} -1 draws a random seed.
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

    public Sampling withGrammar(String g) {
        return new Sampling(temperature, topK, topP, minP, typicalP, seed, repeatPenalty, repeatLastN, presencePenalty,
                frequencyPenalty, g);
    }
}
