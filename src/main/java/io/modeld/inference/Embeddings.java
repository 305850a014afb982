package io.modeld.inference;

import java.util.List;

/** The vectors, one per input in order, the tokens they were made from, and the time spent loading. */
public record Embeddings(List<float[]> vectors, int tokens, long loadNanos) {
}
