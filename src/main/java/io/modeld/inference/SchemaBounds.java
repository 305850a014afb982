package io.modeld.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Bounds on a JSON Schema before it becomes a grammar (a response format, Ollama's {@code format}, a tool's
 * parameters), each refused with a 400 that names what it exceeds. What they stop, measured in issue 29: a
 * 4.4 KB schema of anyOf arrays nested 12 deep made llama.cpp's grammar keep one stack per path, 8.6 s a token
 * (4^12 paths); a tool of 2,200 optional properties crashed the converter's recursion, and 1,000 took 3.6 s.
 *
 * <ul>
 * <li>size: the schema's JSON, {@value #MAX_BYTES} bytes;</li>
 * <li>nesting: {@value #MAX_DEPTH} levels;</li>
 * <li>properties: {@value #MAX_PROPERTIES} per object, of them {@value #MAX_OPTIONAL} optional (the converter
 * writes a rule per suffix of the optional ones);</li>
 * <li>paths: alternatives (anyOf, oneOf, type lists, enums) that can begin with the same character keep the
 * grammar in several states at once, and nested they multiply; at most {@value #MAX_PATHS} at once.</li>
 * </ul>
 */
public final class SchemaBounds {

    static final int MAX_BYTES = 64 << 10;
    static final int MAX_DEPTH = 32;
    /** Schemas within schemas (anyOf in anyOf, references), a guard of the walk itself. */
    private static final int MAX_WALK = 256;
    static final int MAX_PROPERTIES = 512;
    static final int MAX_OPTIONAL = 128;
    static final long MAX_PATHS = 4096;
    /** The tools of one request together. */
    static final int MAX_TOOLS_BYTES = 512 << 10;

    /** A value's first character class, as a bit: any JSON value's first byte is one of these. */
    private static final int OBJECT = 1, ARRAY = 2, STRING = 4, NUMBER = 8, TRUE = 16, FALSE = 32, NULL = 64, ANY = 127;

    private final JsonNode root;
    private final String field;
    private final Set<String> expanding = new HashSet<>();
    /** Each reference's paths, once: the probe's 4.4 KB of references would otherwise be walked 4^12 times. */
    private final Map<String, Long> known = new java.util.HashMap<>();

    private SchemaBounds(JsonNode root, String field) {
        this.root = root;
        this.field = field;
    }

    /** Checks {@code schema} (of request field {@code field}); INVALID naming the bound it exceeds. */
    public static void check(JsonNode schema, String field) {
        int bytes = schema.toString().length();
        if (bytes > MAX_BYTES) {
            throw ModeldException.invalid(field + ": the schema is " + bytes + " bytes, more than the " + MAX_BYTES
                    + " a grammar is made of");
        }
        SchemaBounds b = new SchemaBounds(schema, field);
        long paths = b.paths(schema, field, 0, 0);
        if (paths > MAX_PATHS) {
            throw ModeldException.invalid(field + ": its alternatives (anyOf, oneOf, type lists, enums) that begin "
                    + "alike and nest in each other allow " + (paths >= Long.MAX_VALUE / 2 ? "more than 2^62"
                    : String.valueOf(paths)) + " readings of one output at once, more than the " + MAX_PATHS
                    + " the sampler can follow; make alternatives begin differently, or nest fewer of them");
        }
    }

    /**
     * How many readings an output of {@code s} may have at once: the product, down the nesting, of the most
     * alternatives that share a first character at one place. Checks depth and properties on the way;
     * {@code depth} counts the output's nesting (arrays, objects); {@code walk} every schema within a schema.
     */
    private long paths(JsonNode s, String at, int depth, int walk) {
        if (depth > MAX_DEPTH) {
            throw ModeldException.invalid(field + ": nested more than " + MAX_DEPTH + " levels deep (at " + at + ")");
        }
        if (walk > MAX_WALK) {
            throw ModeldException.invalid(field + ": schemas within schemas more than " + MAX_WALK + " deep (at " + at
                    + ")");
        }
        if (!s.isObject()) {
            return 1;
        }
        JsonNode ref = s.get("$ref");
        if (ref != null && ref.isTextual()) {
            String r = ref.asText();
            Long seen = known.get(r);
            if (seen != null) {
                return seen;
            }
            if (!expanding.add(r)) {
                return 1;   // a recursive schema: each level of the output is read on its own
            }
            try {
                JsonNode target = resolve(r);
                long p = target == null ? 1 : paths(target, r, depth, walk + 1);
                known.put(r, p);
                return p;
            } finally {
                expanding.remove(r);
            }
        }
        long most = 1;
        for (String key : new String[] {"anyOf", "oneOf", "allOf"}) {
            JsonNode alts = s.get(key);
            if (alts != null && alts.isArray()) {
                long within = 1;
                int[] firsts = new int[alts.size()];
                for (int i = 0; i < alts.size(); i++) {
                    within = Math.max(within, paths(alts.get(i), at + "." + key + "[" + i + "]", depth, walk + 1));
                    firsts[i] = first(alts.get(i), 0);
                }
                long alike = key.equals("allOf") ? 1 : mostAlike(firsts);
                most = Math.max(most, times(alike, within));
            }
        }
        JsonNode type = s.get("type");
        if (type != null && type.isArray()) {
            int[] firsts = new int[type.size()];
            for (int i = 0; i < type.size(); i++) {
                firsts[i] = ofType(type.get(i).asText());
            }
            most = Math.max(most, mostAlike(firsts));
        }
        JsonNode values = s.has("enum") ? s.get("enum") : null;
        if (values != null && values.isArray()) {
            most = Math.max(most, Math.min(values.size(), MAX_PATHS + 1) > 1 ? enumAlike(values) : 1);
        }
        JsonNode props = s.get("properties");
        if (props != null && props.isObject()) {
            int count = props.size();
            int required = s.path("required").isArray() ? s.get("required").size() : 0;
            if (count > MAX_PROPERTIES) {
                throw ModeldException.invalid(field + ": " + at + " has " + count + " properties, more than the "
                        + MAX_PROPERTIES + " a grammar is made of");
            }
            if (count - required > MAX_OPTIONAL) {
                throw ModeldException.invalid(field + ": " + at + " has " + (count - required) + " optional properties, "
                        + "more than the " + MAX_OPTIONAL + " a grammar is made of; list more of them in required");
            }
            long inner = 1;
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                inner = Math.max(inner, paths(p.getValue(), at + ".properties." + p.getKey(), depth + 1, walk + 1));
            }
            most = times(most, inner);
        }
        for (String key : new String[] {"items", "additionalProperties", "not"}) {
            JsonNode sub = s.get(key);
            if (sub != null && sub.isObject()) {
                most = times(most, paths(sub, at + "." + key, depth + 1, walk + 1));
            }
        }
        JsonNode prefix = s.get("prefixItems");
        if (prefix != null && prefix.isArray()) {
            long inner = 1;
            for (int i = 0; i < prefix.size(); i++) {
                inner = Math.max(inner, paths(prefix.get(i), at + ".prefixItems[" + i + "]", depth + 1, walk + 1));
            }
            most = times(most, inner);
        }
        return most;
    }

    /** The first characters a value of {@code s} may begin with, as bits. */
    private int first(JsonNode s, int depth) {
        if (!s.isObject() || depth > MAX_DEPTH) {
            return ANY;
        }
        JsonNode ref = s.get("$ref");
        if (ref != null && ref.isTextual()) {
            JsonNode target = resolve(ref.asText());
            return target == null ? ANY : first(target, depth + 1);
        }
        if (s.has("const")) {
            return ofValue(s.get("const"));
        }
        JsonNode values = s.get("enum");
        if (values != null && values.isArray()) {
            int bits = 0;
            for (JsonNode v : values) {
                bits |= ofValue(v);
            }
            return bits == 0 ? ANY : bits;
        }
        int bits = 0;
        for (String key : new String[] {"anyOf", "oneOf"}) {
            JsonNode alts = s.get(key);
            if (alts != null && alts.isArray()) {
                for (JsonNode a : alts) {
                    bits |= first(a, depth + 1);
                }
            }
        }
        JsonNode type = s.get("type");
        if (type != null && type.isTextual()) {
            bits |= ofType(type.asText());
        } else if (type != null && type.isArray()) {
            for (JsonNode t : type) {
                bits |= ofType(t.asText());
            }
        } else if (bits == 0) {
            bits = s.has("properties") ? OBJECT : s.has("items") || s.has("prefixItems") ? ARRAY : ANY;
        }
        return bits;
    }

    /** Strings that begin alike in an enum: the most that share a first character. */
    private static long enumAlike(JsonNode values) {
        java.util.Map<String, Integer> byStart = new java.util.HashMap<>();
        int most = 1;
        for (JsonNode v : values) {
            String start = v.isTextual() ? (v.asText().isEmpty() ? "\"\"" : "\"" + v.asText().charAt(0))
                    : String.valueOf(ofValue(v));
            most = Math.max(most, byStart.merge(start, 1, Integer::sum));
        }
        return most;
    }

    /** Of alternatives with these first-character sets, the most that share one character. */
    private static long mostAlike(int[] firsts) {
        long most = 1;
        for (int bit = 1; bit <= NULL; bit <<= 1) {
            int n = 0;
            for (int f : firsts) {
                if ((f & bit) != 0) {
                    n++;
                }
            }
            most = Math.max(most, n);
        }
        return most;
    }

    private static int ofType(String type) {
        return switch (type) {
            case "object" -> OBJECT;
            case "array" -> ARRAY;
            case "string" -> STRING;
            case "number", "integer" -> NUMBER;
            case "boolean" -> TRUE | FALSE;
            case "null" -> NULL;
            default -> ANY;
        };
    }

    private static int ofValue(JsonNode v) {
        if (v.isObject()) {
            return OBJECT;
        } else if (v.isArray()) {
            return ARRAY;
        } else if (v.isTextual()) {
            return STRING;
        } else if (v.isNumber()) {
            return NUMBER;
        } else if (v.isBoolean()) {
            return v.asBoolean() ? TRUE : FALSE;
        }
        return NULL;
    }

    /** A local reference ({@code #/$defs/x}, {@code #/definitions/x}); null when it points elsewhere. */
    private JsonNode resolve(String ref) {
        if (!ref.startsWith("#")) {
            return null;
        }
        JsonNode n = root.at(ref.substring(1));
        return n.isMissingNode() ? null : n;
    }

    private static long times(long a, long b) {
        return a > Long.MAX_VALUE / Math.max(1, b) ? Long.MAX_VALUE / 2 : a * b;
    }
}
