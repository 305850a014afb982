package io.modeld.catalog;

import java.util.Locale;

/**
 * The name each model answers to on Ollama's API ({@code name:tag}): its {@code ollama} field when it
 * has one (a catalog model's name in Ollama's library, or the name a model was created with through
 * Ollama's API); otherwise its unique name, lower-cased, with {@code :latest} when it has no tag; a
 * model without a unique name answers to {@code <id>:latest}. The rule never changes a name once
 * given, so clients can keep it.
 */
public final class OllamaNames {

    private OllamaNames() {
    }

    public static String of(ModelRecord r) {
        ModelSpec s = r.spec();
        if (s.ollama() != null) {
            return withTag(s.ollama());
        }
        return withTag((s.unique() != null ? s.unique() : r.id()).toLowerCase(Locale.ROOT));
    }

    /** {@code name} with {@code :latest} added when it has no tag (the tag follows the last '/'). */
    public static String withTag(String name) {
        int slash = name.lastIndexOf('/');
        return name.indexOf(':', slash + 1) >= 0 ? name : name + ":latest";
    }
}
