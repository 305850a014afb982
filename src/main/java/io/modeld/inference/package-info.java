/**
 * The inference core every front door calls: model resolution, role checks, the one options merge
 * (defaults, the model's Modelfile, the request), generation, embedding and reranking through the
 * scheduler, reported through a {@link io.modeld.inference.TokenSink}. No HTTP here: each door parses its
 * body into these requests and shapes the results. May depend on {@code runtime}, {@code catalog},
 * {@code engine} (its records), {@code gguf}.
 */
package io.modeld.inference;
