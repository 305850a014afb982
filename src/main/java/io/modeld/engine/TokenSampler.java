package io.modeld.engine;

/** Chooses the next token from a context's logits and accepts it; freed when closed. */
public interface TokenSampler extends AutoCloseable {

    /** Samples from the logits of output {@code index} (-1: the last) and accepts the token. */
    int sample(LlamaContext ctx, int index);

    @Override
    void close();
}
