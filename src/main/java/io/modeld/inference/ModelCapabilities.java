package io.modeld.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * What a model can do, as every door tells it (Ollama's {@code capabilities}, {@code /v1/models}, the Pieces
 * Model): generate text, call tools, think before answering, fill in the middle, embed, rerank. Tools and
 * thinking come from the model's chat template as llama.cpp's chat layer reads it; insert from its
 * fill-in-the-middle tokens; vision is never claimed (no model here reads images yet). {@code problem} says
 * why the model cannot be used now (its chat template broke a limit when it was read), or is null.
 */
public record ModelCapabilities(boolean completion, boolean tools, boolean thinking, boolean insert,
                                boolean embedding, boolean rerank, String problem) {

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
        if (thinking) {
            out.add("thinking");
        }
        if (embedding || rerank) {
            out.add("embedding");
        }
        return out;
    }
}
