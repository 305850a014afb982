/**
 * llama.cpp, bound with JNA: loading the libraries and checking their API, models, contexts, the sampler
 * chain, generation (slots, the prompt cache behind them in RAM and on disk, the slot API's files, speculative
 * decoding by n-gram lookup or a draft model), pooled embeddings and rerank scores, quantization, the GPU
 * backends of the same release and where a model's layers go ({@code GpuBackends}, {@code Placement}). Used inside
 * runner processes
 * (and by the engine commands); the daemon only uses its records and {@code NativeBundle}. Depends on nothing.
 */
package io.modeld.engine;
