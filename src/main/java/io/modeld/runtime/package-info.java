/**
 * Loaded models: the {@link io.modeld.runtime.Scheduler} (memory budget in RAM and on each GPU, eviction,
 * leases, keep-alive, the queue; how many layers go on a GPU, {@code DeviceFit}) and the runners it reaches through {@link io.modeld.runtime.ModelRunner}: processes that hold
 * llama.cpp in the daemon, fakes in tests. May depend on {@code catalog}, {@code gguf}, {@code config} and
 * {@code engine} (its records, and the runner process's main); never on HTTP.
 */
package io.modeld.runtime;
