package io.modeld.runtime;

import io.modeld.engine.Device;
import io.modeld.engine.Placement;
import io.modeld.gguf.MemoryEstimate;

/**
 * How many of a model's layers go on a GPU, llama-server's {@code --fit} and Ollama's layer count in one
 * small rule: a model of {@code blocks} repeating layers has {@code blocks + 1} to place (the output layer
 * counts as one, as llama.cpp's {@code n_gpu_layers} counts it); each takes its share of the weights and,
 * a repeating one, its share of the KV cache; the device also holds the compute buffer once any layer is
 * there. As many go as fit what modeld may use on the device ({@link #capacity}); the rest stay on the CPU.
 *
 * @param placement where the layers go ({@link Placement#CPU}: all on the CPU)
 * @param layers the layers the model has to place
 * @param deviceBytes what the placement takes on the device
 */
record DeviceFit(Placement placement, int layers, long deviceBytes) {

    static final DeviceFit CPU = new DeviceFit(Placement.CPU, 0, 0);
    /**
     * Left free on a device whose free memory is read at the start: the driver's own buffers, a desktop's, other
     * programs' growth; the larger of 256 MiB and a twentieth of the device (Ollama keeps a few hundred MiB).
     */
    static final long MARGIN = 256L << 20;

    /** Whether every layer is on the device. */
    boolean full() {
        return placement.layers() >= layers && layers > 0;
    }

    /**
     * What modeld may take on {@code d}: {@code asked} bytes ({@code --gpu-memory}) when above 0, at most the
     * device's size; else what it had free when the runner started, less {@link #MARGIN}.
     */
    static long capacity(Device d, long asked) {
        if (asked > 0) {
            return Math.min(asked, d.total());
        }
        return Math.max(0, d.free() - Math.max(MARGIN, d.total() / 20));
    }

    /**
     * The placement of a model of {@code blocks} repeating layers and estimate {@code e} on {@code d}, which has
     * {@code available} bytes for it: {@code asked} layers when 0 or more (Ollama's {@code num_gpu}, llama-server's
     * {@code -ngl}: given, not fitted), else as many as fit.
     */
    static DeviceFit of(MemoryEstimate e, long blocks, Device d, long available, int asked) {
        int all = (int) Math.max(1, blocks + 1);
        int n;
        if (asked >= 0) {
            n = Math.min(asked, all);
        } else {
            n = 0;
            while (n < all && cost(e, blocks, n + 1) <= available) {
                n++;
            }
        }
        return n == 0 ? new DeviceFit(Placement.CPU, all, 0) : new DeviceFit(new Placement(d.name(), n), all, cost(e, blocks, n));
    }

    /** The device bytes of {@code n} layers: their weights, the KV cache of the repeating ones, the compute buffer. */
    static long cost(MemoryEstimate e, long blocks, int n) {
        if (n == 0) {
            return 0;
        }
        long all = Math.max(1, blocks + 1);
        long kvLayers = Math.min(n, blocks);
        return e.compute() + e.weights() / all * n + (blocks == 0 ? 0 : e.kvCache() / blocks * kvLayers);
    }
}
