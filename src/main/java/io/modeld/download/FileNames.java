package io.modeld.download;

/**
 * File names made safe: they come from URLs and clients, which are untrusted. Only letters, digits,
 * '.', '_' and '-' survive, with no leading dots, so a name never climbs out of its folder.
 */
public final class FileNames {

    private FileNames() {
    }

    /** {@code name} made safe; {@code model.gguf} when nothing is left; at most 200 characters. */
    public static String safe(String name) {
        String safe = (name == null ? "" : name).replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[.]+", "");
        if (safe.isEmpty()) {
            return "model.gguf";
        }
        return safe.length() > 200 ? safe.substring(safe.length() - 200) : safe;
    }
}
