package io.modeld.catalog;

import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufHeaders;
import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.ModelRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fills what a model's spec leaves out from its GGUF file: parameters (billions), quantization,
 * context length (maxTokens.total), file size (bytes) and the memory a load will need (ram, the
 * scheduler's {@link MemoryEstimate}), and the family (its architecture). What the client gave wins, but
 * for the usage of embedders and rerankers: the file's role decides those.
 */
public final class GgufFacts {

    private GgufFacts() {
    }

    /** The spec with its missing fields taken from {@code file}; throws when the file is not GGUF. */
    static ModelSpec fill(ModelSpec spec, Path file) throws IOException, GgufFormatException {
        return fill(spec, List.of(file));
    }

    /**
     * The same for a model in parts ({@code -00001-of-00003.gguf}, in order): the first part holds the
     * metadata, every part some of the tensors; sizes and parameters are summed over the parts.
     */
    public static ModelSpec fill(ModelSpec spec, List<Path> parts) throws IOException, GgufFormatException {
        GgufFile gguf = GgufHeaders.shared().read(parts.get(0));
        long parameters = gguf.parameterCount();
        long bytes = Files.size(parts.get(0));
        for (Path part : parts.subList(1, parts.size())) {
            parameters += GgufHeaders.shared().read(part).parameterCount();
            bytes += Files.size(part);
        }
        double billions = Math.round(parameters / 1e7) / 100.0;
        Long context = gguf.archInteger("context_length");
        MaxTokens maxTokens = spec.maxTokens() != null && spec.maxTokens().total() != null ? spec.maxTokens()
                : context == null ? spec.maxTokens()
                : new MaxTokens(context, spec.maxTokens() == null ? null : spec.maxTokens().input(),
                        spec.maxTokens() == null ? null : spec.maxTokens().output());
        String usage = ModelRoles.usageFor(ModelRole.of(gguf), spec.usage());
        return new ModelSpec(spec.name(), spec.version(), spec.description(), spec.cloud(), spec.type(), usage,
                spec.bytes() != null ? spec.bytes() : bytes,
                spec.ram() != null ? spec.ram()
                        : MemoryEstimate.of(gguf, bytes, spec.context() == null ? 0 : spec.context()).total(),
                spec.quantization() != null ? spec.quantization() : gguf.quantization(), spec.foundation(),
                spec.unique(), spec.parameters() != null ? spec.parameters() : billions, spec.provider(), spec.cpu(),
                maxTokens, spec.capabilities(), spec.source(), spec.context(),
                spec.family() != null ? spec.family() : gguf.architecture(), spec.released(), spec.ollama(),
                spec.modelfile(), spec.remote());
    }
}
