package io.modeld.inference;

import java.util.List;

/** Documents ranked best first, each with its index in the request and its raw score; the tokens read. */
public record Ranking(List<Ranked> results, int tokens) {

    /** One document: where it was in the request and how relevant the reranker finds it. */
    public record Ranked(int index, float score) {
    }
}
