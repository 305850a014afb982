package io.modeld.gguf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a projector ({@code mmproj}) file says of itself in its header: whether it reads images and hears audio,
 * its kind ({@code clip.projector_type}), and the size of the embeddings it gives (which must be its model's).
 * Read through {@link GgufHeaders}, so once per file.
 */
public record ProjectorFacts(Path file, boolean vision, boolean audio, String type, long outputSize) {

    /** The facts of {@code file}; null when it is null. IOException, or GgufFormatException, when it is not a projector. */
    public static ProjectorFacts of(Path file) throws IOException, GgufFormatException {
        if (file == null) {
            return null;
        }
        GgufFile g = GgufHeaders.shared().read(file);
        boolean vision = Boolean.TRUE.equals(g.metadata().get("clip.has_vision_encoder"));
        boolean audio = Boolean.TRUE.equals(g.metadata().get("clip.has_audio_encoder"));
        if (!"clip".equals(g.architecture()) || !vision && !audio) {
            throw new GgufFormatException("not a projector: its architecture is '" + g.architecture()
                    + "' and it has no vision or audio encoder");
        }
        String type = g.string("clip.projector_type");
        if (type == null) {
            type = g.string(vision ? "clip.vision.projector_type" : "clip.audio.projector_type");
        }
        return new ProjectorFacts(file, vision, audio, type, outputSize(g, type));
    }

    /**
     * The size of the embeddings it gives, from the shape of its last layer, as libmtmd reads it for the kinds of this
     * year's models; -1 for other kinds (llama.cpp then checks the pairing when the model loads).
     */
    private static long outputSize(GgufFile g, String type) {
        return switch (type == null ? "" : type) {
            case "gemma3" -> dim(g, "mm.input_projection.weight", 0);
            case "mlp", "pixtral", "ultravox", "voxtral", "qwen3a", "lfm2", "kimivl" -> dim(g, "mm.2.weight", 1);
            case "qwen2vl_merger", "qwen2.5vl_merger", "qwen2.5o" -> dim(g, "mm.2.bias", 0);   // libmtmd's mm_1
            case "idefics3", "qwen2a" -> dim(g, "mm.model.fc.weight", 1);
            case "internvl" -> dim(g, "mm.3.weight", 1);
            default -> -1;
        };
    }

    private static long dim(GgufFile g, String tensor, int axis) {
        for (GgufFile.TensorInfo t : g.tensors()) {
            if (t.name().equals(tensor) && t.dims().length > axis) {
                return t.dims()[axis];
            }
        }
        return -1;
    }

    /**
     * Why this projector cannot serve the model whose header is {@code model}: the size of the embeddings it gives
     * is not the model's ({@code embedding_length}), both named; null when it can, or either size is unknown.
     */
    public String mismatch(GgufFile model) {
        Long reads = model.archInteger("embedding_length");
        if (outputSize < 0 || reads == null || reads == outputSize) {
            return null;
        }
        return "the projector " + file.getFileName() + " gives embeddings of " + outputSize + " values, and the model "
                + "reads embeddings of " + reads + ": it was made for another model";
    }

    /**
     * The facts of {@code projector} when it can serve the model in {@code model}; null when there is none, or it
     * cannot be read, or was made for another model (a listing must not fail on it; {@link #problem} says why).
     */
    public static ProjectorFacts paired(Path projector, Path model) {
        return projector == null || problem(projector, model) != null ? null : orNull(projector);
    }

    /** Why {@code projector} cannot serve the model in {@code model}, or null when it can (or there is none). */
    public static String problem(Path projector, Path model) {
        if (projector == null) {
            return null;
        }
        try {
            return of(projector).mismatch(GgufHeaders.shared().read(model));
        } catch (IOException | GgufFormatException e) {
            return "its projector " + projector + " cannot be read: " + e.getMessage();
        }
    }

    /** The facts of {@code file}, or null when it is null or cannot be read (a listing must not fail on it). */
    public static ProjectorFacts orNull(Path file) {
        try {
            return of(file);
        } catch (IOException | GgufFormatException e) {
            return null;
        }
    }
}
