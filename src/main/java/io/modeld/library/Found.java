package io.modeld.library;

import io.modeld.catalog.Modelfile;
import java.nio.file.Path;
import java.util.List;

/**
 * A model a root's layout names, before its header is read: the name in the root's own naming, the
 * Ollama name it answers to, its files (the parts of a split model, in order), the projector beside it,
 * the SHA-256 the layout tells (Ollama's and Hugging Face's blob names; else null) and, for Ollama's
 * store, the template, system prompt and parameters kept beside the weights.
 */
record Found(String name, String ollama, List<Path> files, Path projector, String digest, Modelfile modelfile) {

    Found {
        files = List.copyOf(files);
    }
}
