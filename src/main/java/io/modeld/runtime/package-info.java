/**
 * Loaded models: runner processes that hold llama.cpp, the memory budget, eviction and keep-alive.
 * May depend on {@code catalog}, {@code gguf} and {@code config}.
 */
package io.modeld.runtime;
