package io.modeld.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads the client-settable fields of a SeededModel or Model JSON object over a base spec: a field
 * that is absent or null keeps the base's value. Every rule names the field it refuses, so a client
 * learns exactly what to fix; nothing is applied unless the whole object is valid.
 */
public final class SpecParser {

    private static final int MAX_SHORT = 256;
    private static final int MAX_DESCRIPTION = 16_384;
    private static final int MIN_CONTEXT = 16;
    private static final int MAX_CONTEXT = 1 << 20;
    static final java.util.regex.Pattern OLLAMA_NAME =
            java.util.regex.Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,79}/){0,2}[A-Za-z0-9][A-Za-z0-9._-]{0,79}(:[A-Za-z0-9][A-Za-z0-9._-]{0,79})?");

    private SpecParser() {
    }

    /** Applies the fields present in {@code json} to {@code base}; throws INVALID naming the first bad field. */
    public static ModelSpec apply(JsonNode json, ModelSpec base) {
        if (json == null || !json.isObject()) {
            throw ModeldException.invalid("body: must be a JSON object");
        }
        return new ModelSpec(
                text(json, "name", base.name(), MAX_SHORT, true),
                text(json, "version", base.version(), MAX_SHORT, false),
                text(json, "description", base.description(), MAX_DESCRIPTION, false),
                bool(json, "cloud", base.cloud()),
                oneOf(json, "type", base.type()),
                oneOf(json, "usage", base.usage()),
                byteValue(json, "bytes", base.bytes()),
                byteValue(json, "ram", base.ram()),
                text(json, "quantization", base.quantization(), MAX_SHORT, false),
                oneOf(json, "foundation", base.foundation()),
                unique(json, base.unique()),
                parameters(json, base.parameters()),
                oneOf(json, "provider", base.provider()),
                bool(json, "cpu", base.cpu()),
                maxTokens(json, base.maxTokens()),
                capabilities(json, base.capabilities()),
                source(json, base.source()),
                context(json, base.context()),
                text(json, "family", base.family(), MAX_SHORT, false),
                released(json, base.released()),
                ollama(json, base.ollama()),
                base.modelfile(),
                base.remote());
    }

    private static boolean present(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v != null && !v.isNull();
    }

    private static String text(JsonNode json, String field, String fallback, int maxLength, boolean notBlank) {
        if (!present(json, field)) {
            return fallback;
        }
        JsonNode v = json.get(field);
        if (!v.isTextual()) {
            throw ModeldException.invalid(field + ": must be a string");
        }
        String s = v.textValue();
        if (s.length() > maxLength) {
            throw ModeldException.invalid(field + ": longer than " + maxLength + " characters");
        }
        if (notBlank && s.isBlank()) {
            throw ModeldException.invalid(field + ": must not be empty");
        }
        boolean multiline = maxLength == MAX_DESCRIPTION;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean allowedControl = multiline && (c == '\n' || c == '\r' || c == '\t');
            if (Character.isISOControl(c) && !allowedControl) {
                throw ModeldException.invalid(field + ": contains a control character (code " + (int) c + ")");
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ModeldException.invalid(field + ": is not valid Unicode (a lone surrogate)");
            }
        }
        return s;
    }

    private static Boolean bool(JsonNode json, String field, Boolean fallback) {
        if (!present(json, field)) {
            return fallback;
        }
        JsonNode v = json.get(field);
        if (!v.isBoolean()) {
            throw ModeldException.invalid(field + ": must be true or false");
        }
        return v.booleanValue();
    }

    private static String oneOf(JsonNode json, String field, String fallback) {
        String s = text(json, field, fallback, MAX_SHORT, false);
        if (s != null && !PiecesEnums.values(field).contains(s)) {
            throw ModeldException.invalid(field + ": '" + s + "' is not a Pieces " + field + " value");
        }
        return s;
    }

    private static Long byteValue(JsonNode json, String field, Long fallback) {
        if (!present(json, field)) {
            return fallback;
        }
        JsonNode v = json.get(field);
        if (!v.isObject()) {
            throw ModeldException.invalid(field + ": must be a ByteDescriptor {\"value\": <bytes>}");
        }
        return count(v.get("value"), field + ".value", null);
    }

    private static Long count(JsonNode v, String field, Long fallback) {
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            throw ModeldException.invalid(field + ": must be a whole number, 0 or more");
        }
        return v.longValue();
    }

    private static String unique(JsonNode json, String fallback) {
        String s = text(json, "unique", fallback, MAX_SHORT, false);
        if (s != null && !ModelSpec.UNIQUE_NAME.matcher(s).matches()) {
            throw ModeldException.invalid(
                    "unique: use 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
        }
        return s;
    }

    private static Double parameters(JsonNode json, Double fallback) {
        if (!present(json, "parameters")) {
            return fallback;
        }
        JsonNode v = json.get("parameters");
        if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || v.doubleValue() < 0) {
            throw ModeldException.invalid("parameters: must be a number of billions, 0 or more");
        }
        return v.doubleValue();
    }

    private static MaxTokens maxTokens(JsonNode json, MaxTokens fallback) {
        if (!present(json, "maxTokens")) {
            return fallback;
        }
        JsonNode v = json.get("maxTokens");
        if (!v.isObject()) {
            throw ModeldException.invalid("maxTokens: must be an object {\"total\": <tokens>}");
        }
        return new MaxTokens(count(v.get("total"), "maxTokens.total", null),
                count(v.get("input"), "maxTokens.input", null),
                count(v.get("output"), "maxTokens.output", null));
    }

    private static Capabilities capabilities(JsonNode json, Capabilities fallback) {
        if (!present(json, "capabilities")) {
            return fallback;
        }
        JsonNode v = json.get("capabilities");
        if (!v.isObject()) {
            throw ModeldException.invalid("capabilities: must be an object of booleans");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("schema") && !e.getValue().isBoolean() && !e.getValue().isNull()) {
                throw ModeldException.invalid("capabilities." + e.getKey() + ": must be true or false");
            }
        }
        return new Capabilities(flag(v, "temporal"), flag(v, "images"), flag(v, "videos"), flag(v, "documents"),
                flag(v, "codebases"), flag(v, "assets"), flag(v, "websites"));
    }

    private static Boolean flag(JsonNode v, String field) {
        JsonNode f = v.get(field);
        return f == null || f.isNull() ? null : f.booleanValue();
    }

    private static Integer context(JsonNode json, Integer fallback) {
        if (!present(json, "context")) {
            return fallback;
        }
        JsonNode v = json.get("context");
        if (!v.isIntegralNumber() || v.longValue() < MIN_CONTEXT || v.longValue() > MAX_CONTEXT) {
            throw ModeldException.invalid("context: must be a whole number of tokens from " + MIN_CONTEXT + " to "
                    + MAX_CONTEXT);
        }
        return v.intValue();
    }

    private static Integer released(JsonNode json, Integer fallback) {
        if (!present(json, "released")) {
            return fallback;
        }
        JsonNode v = json.get("released");
        if (!v.isIntegralNumber() || v.intValue() < 1990 || v.intValue() > 2100) {
            throw ModeldException.invalid("released: must be a year, e.g. 2025");
        }
        return v.intValue();
    }

    /** An Ollama name: {@code model[:tag]}, with {@code namespace/} in front for others' models. */
    private static String ollama(JsonNode json, String fallback) {
        String s = text(json, "ollama", fallback, MAX_SHORT, false);
        if (s != null && !OLLAMA_NAME.matcher(s).matches()) {
            throw ModeldException.invalid("ollama: '" + s + "' is not an Ollama model name such as qwen3:4b");
        }
        return s;
    }

    private static ModelSource source(JsonNode json, ModelSource fallback) {
        if (!present(json, "source")) {
            return fallback;
        }
        JsonNode v = json.get("source");
        if (!v.isObject()) {
            throw ModeldException.invalid("source: must be an object {\"url\": ..., \"sha256\": ...}");
        }
        JsonNode url = v.get("url");
        JsonNode sha = v.get("sha256");
        if (url != null && !url.isNull() && !url.isTextual()) {
            throw ModeldException.invalid("source.url: must be a string");
        }
        if (sha != null && !sha.isNull() && !sha.isTextual()) {
            throw ModeldException.invalid("source.sha256: must be a string");
        }
        JsonNode link = v.get("link");
        if (link != null && !link.isNull() && !link.isBoolean()) {
            throw ModeldException.invalid("source.link: must be true or false");
        }
        ModelSource source = ModelSource.of(url == null || url.isNull() ? null : url.textValue(),
                sha == null || sha.isNull() ? null : sha.textValue(), link != null && link.asBoolean(false));
        JsonNode projector = v.get("projector");
        if (projector == null || projector.isNull()) {
            return source;
        }
        if (!projector.isObject() || !projector.path("url").isTextual()
                || projector.has("sha256") && !projector.get("sha256").isTextual() && !projector.get("sha256").isNull()) {
            throw ModeldException.invalid("source.projector: must be an object {\"url\": ..., \"sha256\": ...}");
        }
        return source.withProjector(projector.get("url").textValue(), projector.path("sha256").textValue());
    }
}
