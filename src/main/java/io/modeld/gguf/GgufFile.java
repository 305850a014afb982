package io.modeld.gguf;

import java.util.List;
import java.util.Map;

/**
 * What a GGUF file says about itself: its metadata and tensor infos (not the weights).
 *
 * @param dataOffset where the tensor data starts in the file
 * @param keptBytes about what keeping it costs: its kept strings and its tensors' infos
 */
public record GgufFile(int version, Map<String, Object> metadata, List<TensorInfo> tensors, long dataOffset,
                       long keptBytes) {

    /** One tensor: its name, shape (ggml order, innermost first), ggml type and offset in the data. */
    public record TensorInfo(String name, long[] dims, int type, long offset) {

        public long elements() {
            long n = 1;
            for (long d : dims) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    public String architecture() {
        return string("general.architecture");
    }

    /** A metadata string, or null. */
    public String string(String key) {
        return metadata.get(key) instanceof String s ? s : null;
    }

    /** A metadata integer (of any integer type), or null. */
    public Long integer(String key) {
        Object v = metadata.get(key);
        if (v instanceof Number n && !(v instanceof Float) && !(v instanceof Double)) {
            return n.longValue();
        }
        return null;
    }

    /** An integer of the model's architecture, e.g. {@code archInteger("context_length")}. */
    public Long archInteger(String name) {
        String arch = architecture();
        return arch == null ? null : integer(arch + "." + name);
    }

    /** All weights: the sum of every tensor's element count. */
    public long parameterCount() {
        long n = 0;
        for (TensorInfo t : tensors) {
            n = Math.addExact(n, t.elements());
        }
        return n;
    }

    /** The quantization named by {@code general.file_type}, e.g. Q4_K_M, or null when unknown. */
    public String quantization() {
        Long type = integer("general.file_type");
        return type == null ? null : GgmlTypes.fileTypeName(type.intValue());
    }
}
