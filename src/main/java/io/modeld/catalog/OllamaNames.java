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

    /** What an Ollama name looks like: {@code [host/][namespace/]model[:tag]}. */
    public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile(
            "([A-Za-z0-9][A-Za-z0-9.:_-]{0,349}/)?([A-Za-z0-9][A-Za-z0-9._-]{0,79}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,79}"
                    + "(:[A-Za-z0-9][A-Za-z0-9._-]{0,79})?");

    /**
     * The short form of a name as a client may spell it: lower case, without {@code registry.ollama.ai/}
     * and the {@code library/} namespace, with {@code :latest} when it has no tag.
     */
    public static String normalize(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT).replaceFirst("^https?://", "");
        n = n.replaceFirst("^registry\\.ollama\\.ai/", "").replaceFirst("^library/", "");
        return withTag(n);
    }

    /** Whether {@code name} is a valid Ollama name. */
    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** {@code name} with {@code :latest} added when it has no tag (the tag follows the last '/'). */
    public static String withTag(String name) {
        int slash = name.lastIndexOf('/');
        return name.indexOf(':', slash + 1) >= 0 ? name : name + ":latest";
    }

    /**
     * The spec of a model made through Ollama's API: named and answering to {@code ollamaName}, with a unique name
     * derived from it (lower case, '/' as '-'), the rest taken from {@code base}, its Modelfile {@code modelfile}.
     */
    public static ModelSpec spec(String ollamaName, ModelSpec base, Modelfile modelfile) {
        String normalized = normalize(ollamaName);
        String unique = normalized.replace('/', '-');
        if (unique.endsWith(":latest")) {
            unique = unique.substring(0, unique.length() - ":latest".length());
        }
        if (!ModelSpec.UNIQUE_NAME.matcher(unique).matches()) {
            unique = null;
        }
        return base.withName(ollamaName).withUnique(unique).withSource(null).withOllama(normalized, modelfile);
    }
}
