package io.modeld.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.ModeldException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The models on offer: a JSON array of SeededModel objects with the {@code source} extension, the
 * built-in one shipped in the jar or a file given with {@code --catalog}. Each entry needs a
 * {@code unique} name, from which its id is derived, so an id never changes across installs.
 */
public final class Catalog {

    private static final String BUILT_IN = "/catalog.json";

    private Catalog() {
    }

    /** The built-in catalog. */
    public static List<ModelSpec> builtIn() {
        try (InputStream in = Catalog.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("catalog.json is missing from the jar");
            }
            return parse(Json.MAPPER.readTree(in), "the built-in catalog");
        } catch (IOException e) {
            throw new IllegalStateException("the built-in catalog is unreadable", e);
        }
    }

    /** A catalog file given by the user; a clear error when it is missing or malformed. */
    public static List<ModelSpec> fromFile(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return parse(Json.MAPPER.readTree(text), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the catalog " + file + ": " + e.getMessage(), e);
        }
    }

    /** The stable id of a catalog model: a name-based UUID of its unique name. */
    public static String idOf(String unique) {
        return UUID.nameUUIDFromBytes(("modeld-catalog:" + unique).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static List<ModelSpec> parse(JsonNode root, String where) {
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(where + ": must be a JSON array of SeededModel objects");
        }
        List<ModelSpec> specs = new ArrayList<>();
        Set<String> uniques = new HashSet<>();
        for (int i = 0; i < root.size(); i++) {
            String at = where + ", entry " + i + ": ";
            ModelSpec spec;
            try {
                spec = SpecParser.apply(root.get(i), ModelSpec.defaults());
            } catch (ModeldException e) {
                throw new IllegalArgumentException(at + e.getMessage(), e);
            }
            if (spec.name() == null) {
                throw new IllegalArgumentException(at + "name: required");
            }
            if (spec.unique() == null) {
                throw new IllegalArgumentException(at + "unique: required in a catalog (the id derives from it)");
            }
            if (spec.source() == null) {
                throw new IllegalArgumentException(at + "source: required in a catalog");
            }
            if (!uniques.add(spec.unique())) {
                throw new IllegalArgumentException(at + "unique: '" + spec.unique() + "' appears twice");
            }
            specs.add(spec);
        }
        return List.copyOf(specs);
    }
}
