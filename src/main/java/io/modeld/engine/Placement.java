package io.modeld.engine;

/**
 * Where a model's layers go: {@code layers} of them (llama.cpp's {@code n_gpu_layers}, the output layer
 * counting as one) on {@code device}, the rest on the CPU. {@link #CPU} keeps everything on the CPU, even
 * in a runner that loaded a GPU backend: the model is given an empty device list, so llama.cpp moves no
 * operation to a GPU either.
 */
public record Placement(String device, int layers) {

    public static final Placement CPU = new Placement(null, 0);

    public Placement {
        if (layers < 0 || layers > 0 && device == null) {
            throw new IllegalArgumentException("a placement of " + layers + " layers needs a device");
        }
    }

    public boolean onDevice() {
        return layers > 0;
    }
}
