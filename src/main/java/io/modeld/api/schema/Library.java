package io.modeld.api.schema;

import java.util.List;

/**
 * Extension of Model: the model is used where it lies, in a folder modeld never writes to. {@code root}
 * is the kind of folder ({@code ollama}, {@code huggingface}, {@code lmstudio}, {@code folder}, or
 * {@code link} for a file registered in place), {@code path} the folder, {@code files} the model's
 * files (the parts of a split model), {@code projector} its mmproj file, if any.
 */
public record Library(Schema schema, String root, String path, List<String> files, String projector) {
}
