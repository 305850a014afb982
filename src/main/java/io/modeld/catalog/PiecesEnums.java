package io.modeld.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The enum spellings of the Pieces SDK (ModelTypeEnum, ModelUsageEnum, ExternalMLProviderEnum,
 * ModelFoundationEnum, ModelDownloadProgressStatusEnum), read from the SDK's models into a resource.
 */
public final class PiecesEnums {

    private static final Map<String, Set<String>> VALUES = load();

    private PiecesEnums() {
    }

    /** The allowed values of one enum: type, usage, provider, foundation or downloadStatus. */
    public static Set<String> values(String enumName) {
        Set<String> values = VALUES.get(enumName);
        if (values == null) {
            throw new IllegalArgumentException("no Pieces enum " + enumName);
        }
        return values;
    }

    private static Map<String, Set<String>> load() {
        try (InputStream in = PiecesEnums.class.getResourceAsStream("/pieces-enums.json")) {
            if (in == null) {
                throw new IllegalStateException("pieces-enums.json is missing from the jar");
            }
            Map<String, List<String>> raw = io.modeld.Json.MAPPER.readValue(in, new TypeReference<>() { });
            Map<String, Set<String>> sets = new java.util.HashMap<>();
            raw.forEach((k, v) -> sets.put(k, Set.copyOf(new LinkedHashSet<>(v))));
            return Map.copyOf(sets);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
