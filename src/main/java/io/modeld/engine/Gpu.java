package io.modeld.engine;

import java.util.List;
import java.util.Locale;

/**
 * Which GPU backend a runner loads beside the CPU one ({@code --gpu}): the best whose runtime is present and
 * that finds a device ({@link #AUTO}), one by name, or none. A backend named on purpose that cannot serve is an
 * error that says why; on auto the CPU serves and one log line says why.
 */
public enum Gpu {
    /** CUDA where the NVIDIA driver and a CUDA runtime are, else Vulkan where a driver finds a GPU, else the CPU. */
    AUTO(List.of("cuda", "vulkan")),
    VULKAN(List.of("vulkan")),
    CUDA(List.of("cuda")),
    /** The CPU alone: no GPU backend is loaded. */
    NONE(List.of());

    private final List<String> backends;

    Gpu(List<String> backends) {
        this.backends = backends;
    }

    /** The ggml backends tried, best first. */
    List<String> backends() {
        return backends;
    }

    /**
     * Whether the user named the backend: then failing to serve is an error, and an integrated GPU counts (on
     * auto it stays off, as it is often slower than the CPU it shares memory with).
     */
    public boolean named() {
        return this == VULKAN || this == CUDA;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode spelled {@code text}; IllegalArgumentException naming the choices otherwise. */
    public static Gpu of(String text) {
        for (Gpu g : values()) {
            if (g.wire().equals(text == null ? "" : text.strip().toLowerCase(Locale.ROOT))) {
                return g;
            }
        }
        throw new IllegalArgumentException("--gpu: auto, vulkan, cuda or none, not '" + text + "'");
    }
}
