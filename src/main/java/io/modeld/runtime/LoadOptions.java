package io.modeld.runtime;

import java.time.Duration;

/**
 * How a request wants its model loaded: a context size in tokens (0: the model's own default), a
 * keep-alive (null: the daemon's; negative: for ever; zero: unload once the request is done) and the layers
 * it puts on the GPU (null: the daemon's {@code --gpu-layers}; -1 as many as fit; Ollama's {@code num_gpu}).
 */
public record LoadOptions(int context, Duration keepAlive, Integer gpuLayers) {

    public static final LoadOptions DEFAULT = new LoadOptions(0, null);

    public LoadOptions(int context, Duration keepAlive) {
        this(context, keepAlive, null);
    }
}
