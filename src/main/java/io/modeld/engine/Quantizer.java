package io.modeld.engine;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Quantizes a GGUF model with llama.cpp ({@code llama_model_quantize}), e.g. F32 or F16 to Q4_K_M. */
public final class Quantizer {

    /** The quantization types offered, by name, as {@code enum llama_ftype}. */
    static final Map<String, Integer> TYPES = Map.of("F16", 1, "Q4_0", 2, "Q8_0", 7, "Q5_K_M", 17, "Q6_K", 18,
            "Q4_K_S", 14, "Q4_K_M", 15, "Q5_K_S", 16, "Q3_K_M", 12);

    private Quantizer() {
    }

    /** Writes {@code output} as {@code input} quantized to {@code type} (e.g. {@code Q4_K_M}). */
    public static void quantize(LlamaEngine engine, Path input, Path output, String type, int threads)
            throws EngineException {
        Integer ftype = TYPES.get(type.toUpperCase(Locale.ROOT));
        if (ftype == null) {
            throw new EngineException(EngineException.Kind.INPUT, "quantization '" + type + "' is not offered; use one of "
                    + new java.util.TreeSet<>(TYPES.keySet()));
        }
        Structs.QuantizeParams.ByValue params = engine.llama.llama_model_quantize_default_params();
        params.nthread = threads;
        params.ftype = ftype;
        params.write();
        engine.clearLog();
        int rc = engine.llama.llama_model_quantize(input.toString(), output.toString(), params.getPointer());
        if (rc != 0) {
            throw new EngineException(EngineException.Kind.MODEL, "llama.cpp could not quantize " + input.getFileName()
                    + " to " + type + engine.logSummary());
        }
    }
}
