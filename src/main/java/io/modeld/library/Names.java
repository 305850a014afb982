package io.modeld.library;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Ollama names for files that have none: a model part and a tag made of what a file name tells. */
final class Names {

    /** A quantization in a file name, e.g. {@code Q4_K_M}, {@code IQ3_XXS}, {@code F16}, {@code BF16}. */
    private static final Pattern QUANT = Pattern.compile(
            "(?i)(?<=^|[-_.])(I?Q[0-9](?:_[A-Z0-9]+)*|F16|F32|BF16)(?=$|[-_.])");
    private static final Pattern SPLIT_SUFFIX = Pattern.compile("(?i)-\\d{5}-of-\\d{5}$");

    private Names() {
    }

    /** The file name without {@code .gguf} and without a split suffix. */
    static String stem(String fileName) {
        return SPLIT_SUFFIX.matcher(fileName.replaceFirst("(?i)\\.gguf$", "")).replaceFirst("");
    }

    /** The tag for a file: its quantization when the name tells one (upper case), else its stem. */
    static String tag(String fileName) {
        String stem = stem(fileName);
        String quant = null;
        Matcher m = QUANT.matcher(stem);
        while (m.find()) {
            quant = m.group(1).toUpperCase(Locale.ROOT);
        }
        return part(quant != null ? quant : stem);
    }

    /** {@code s} as one part of an Ollama name: letters, digits, '.', '_', '-', at most 80, starting with a letter or digit. */
    static String part(String s) {
        String p = s.replaceAll("[^A-Za-z0-9._-]+", "-").replaceFirst("^[^A-Za-z0-9]+", "");
        p = p.length() > 80 ? p.substring(0, 80) : p;
        return p.isEmpty() ? "model" : p;
    }
}
