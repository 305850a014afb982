package io.modeld.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** What is done to vectors before they leave: unit length, fewer dimensions, base64 as OpenAI sends it. */
public final class Vectors {

    private Vectors() {
    }

    /** The vector scaled to unit (L2) length; a zero vector stays zero. */
    public static float[] normalized(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum == 0) {
            return v.clone();
        }
        double norm = Math.sqrt(sum);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }

    /** The first {@code dimensions} values (for Matryoshka models), or the vector when it is not longer. */
    public static float[] truncated(float[] v, int dimensions) {
        return dimensions <= 0 || dimensions >= v.length ? v : java.util.Arrays.copyOf(v, dimensions);
    }

    /** Little-endian float32 bytes in base64: OpenAI's {@code encoding_format: base64}. */
    public static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
