package io.modeld.inference;

import io.modeld.gguf.ProjectorFacts;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model can do, as every door tells it (Ollama's {@code capabilities}, {@code /v1/models}, the Pieces
 * Model): generate text, call tools, think before answering, fill in the middle, embed, rerank. Tools and
 * thinking come from the model's chat template as llama.cpp's chat layer reads it; insert from its
 * fill-in-the-middle tokens; vision and audio from its projector ({@link ProjectorFacts}). {@code problem} says
 * why the model cannot be used now (its chat template broke a limit when it was read), or is null.
 */
public record ModelCapabilities(boolean completion, boolean tools, boolean thinking, boolean insert,
                                boolean embedding, boolean rerank, boolean vision, boolean audio, String problem) {

    public ModelCapabilities(boolean completion, boolean tools, boolean thinking, boolean insert, boolean embedding,
                             boolean rerank, String problem) {
        this(completion, tools, thinking, insert, embedding, rerank, false, false, problem);
    }

    /** These, reading images and hearing audio as a projector says. */
    public ModelCapabilities withMedia(ProjectorFacts p) {
        return p == null ? this : new ModelCapabilities(completion, tools, thinking, insert, embedding, rerank,
                p.vision(), p.audio(), problem);
    }

    /** Ollama's names, in Ollama's order. */
    public List<String> ollama() {
        List<String> out = new ArrayList<>();
        if (completion) {
            out.add("completion");
        }
        if (tools) {
            out.add("tools");
        }
        if (insert) {
            out.add("insert");
        }
        if (vision) {
            out.add("vision");
        }
        if (audio) {
            out.add("audio");
        }
        if (thinking) {
            out.add("thinking");
        }
        if (embedding || rerank) {
            out.add("embedding");
        }
        return out;
    }
}
