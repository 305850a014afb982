package io.modeld.engine;

/** Chooses the next token from a context's logits and accepts it; freed when closed. */
public interface TokenSampler extends AutoCloseable {

    /**
     * Samples from the logits of output {@code index} (-1: the last) and accepts the token; fails when no
     * token can be chosen (a grammar that admits none): that generation ends, the context serves on.
     */
    int sample(LlamaContext ctx, int index) throws EngineException;

    @Override
    void close();
}
