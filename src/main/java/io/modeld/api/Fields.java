package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import java.util.ArrayList;
import java.util.List;

/** Reads typed fields of a JSON request body; a wrong type or range is a 400 that names the field. */
public final class Fields {

    private Fields() {
    }

    /** Whether the field is there and not null. */
    public static boolean has(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v != null && !v.isNull();
    }

    public static String text(JsonNode body, String field, String fallback) {
        if (!has(body, field)) {
            return fallback;
        }
        JsonNode v = body.get(field);
        if (!v.isTextual()) {
            throw ModeldException.invalid(field + ": must be a string");
        }
        return v.textValue();
    }

    public static String requiredText(JsonNode body, String field, String what) {
        String v = text(body, field, null);
        if (v == null || v.isBlank()) {
            throw ModeldException.invalid(field + ": required, " + what);
        }
        return v;
    }

    public static double number(JsonNode body, String field, double fallback, double min, double max) {
        if (!has(body, field)) {
            return fallback;
        }
        JsonNode v = body.get(field);
        if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || v.doubleValue() < min || v.doubleValue() > max) {
            throw ModeldException.invalid(field + ": must be a number from " + show(min) + " to " + show(max));
        }
        return v.doubleValue();
    }

    public static long whole(JsonNode body, String field, long fallback, long min, long max) {
        if (!has(body, field)) {
            return fallback;
        }
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ModeldException.invalid(field + ": must be a whole number from " + min + " to " + max);
        }
        return v.longValue();
    }

    public static boolean bool(JsonNode body, String field, boolean fallback) {
        if (!has(body, field)) {
            return fallback;
        }
        JsonNode v = body.get(field);
        if (!v.isBoolean()) {
            throw ModeldException.invalid(field + ": must be true or false");
        }
        return v.booleanValue();
    }

    /** A string or an array of strings (at most {@code max}); empty when absent. */
    public static List<String> strings(JsonNode body, String field, int max) {
        if (!has(body, field)) {
            return List.of();
        }
        JsonNode v = body.get(field);
        if (v.isTextual()) {
            return List.of(v.textValue());
        }
        if (v.isArray() && v.size() <= max) {
            List<String> out = new ArrayList<>();
            for (JsonNode s : v) {
                if (!s.isTextual()) {
                    throw ModeldException.invalid(field + ": must be a string or up to " + max + " strings");
                }
                out.add(s.textValue());
            }
            return out;
        }
        throw ModeldException.invalid(field + ": must be a string or up to " + max + " strings");
    }

    private static String show(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
