package io.modeld.catalog;

import io.modeld.gguf.GgufFile;
import io.modeld.gguf.GgufFormatException;
import io.modeld.gguf.GgufReader;
import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.ModelRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fills what a model's spec leaves out from its GGUF file: parameters (billions), quantization,
 * context length (maxTokens.total), file size (bytes) and the memory a load will need (ram, the
 * runtime's {@link MemoryEstimate}), and the family (its architecture). What the client gave wins, but
 * for the usage of embedders and rerankers: the file's role decides those.
 */
final class GgufFacts {

    private GgufFacts() {
    }

    /** The spec with its missing fields taken from {@code file}; throws when the file is not GGUF. */
    static ModelSpec fill(ModelSpec spec, Path file) throws IOException, GgufFormatException {
        GgufFile gguf = GgufReader.read(file);
        double billions = Math.round(gguf.parameterCount() / 1e7) / 100.0;
        Long context = gguf.archInteger("context_length");
        MaxTokens maxTokens = spec.maxTokens() != null && spec.maxTokens().total() != null ? spec.maxTokens()
                : context == null ? spec.maxTokens()
                : new MaxTokens(context, spec.maxTokens() == null ? null : spec.maxTokens().input(),
                        spec.maxTokens() == null ? null : spec.maxTokens().output());
        String usage = ModelRoles.usageFor(ModelRole.of(gguf), spec.usage());
        return new ModelSpec(spec.name(), spec.version(), spec.description(), spec.cloud(), spec.type(), usage,
                spec.bytes() != null ? spec.bytes() : Files.size(file),
                spec.ram() != null ? spec.ram()
                        : MemoryEstimate.of(gguf, Files.size(file), spec.context() == null ? 0 : spec.context()).total(),
                spec.quantization() != null ? spec.quantization() : gguf.quantization(), spec.foundation(),
                spec.unique(), spec.parameters() != null ? spec.parameters() : billions, spec.provider(), spec.cpu(),
                maxTokens, spec.capabilities(), spec.source(), spec.context(),
                spec.family() != null ? spec.family() : gguf.architecture(), spec.released(), spec.ollama(),
                spec.modelfile());
    }
}
