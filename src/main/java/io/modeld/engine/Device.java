package io.modeld.engine;

/**
 * A GPU that ggml's backend registry found: its name as llama.cpp's {@code --device} spells it ({@code Vulkan0},
 * {@code CUDA0}), what the driver calls it, its backend, whether it shares the host's memory, and its memory
 * (bytes) when the runner started.
 */
public record Device(String name, String description, String backend, boolean integrated, long free, long total) {
}
