/**
 * llama.cpp, bound with JNA: loading the libraries and checking their API, models, contexts, the sampler
 * chain, generation, pooled embeddings and rerank scores, quantization. Used inside runner processes
 * (and by the engine commands); the daemon only uses its records and {@code NativeBundle}. Depends on nothing.
 */
package io.modeld.engine;
