package io.modeld.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.ModeldException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a JSON Schema into a GBNF grammar, so that the sampler can only produce JSON that the schema
 * accepts: OpenAI's {@code response_format: json_schema} and Ollama's {@code format: {schema}}. It
 * covers what structured output is used for: objects with properties (required ones first, in the
 * schema's order, then the optional ones), arrays with item schemas and counts, strings (with enum and
 * const), numbers, integers, booleans, null, type lists, anyOf/oneOf, and $ref into $defs/definitions.
 * Keywords that only narrow values further (pattern, format, minimum) are not enforced.
 */
public final class JsonSchemaGrammar {

    private static final int MAX_RULES = 2000;

    private final JsonNode root;
    private final String field;
    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Map<String, String> refs = new HashMap<>();
    private int next;

    private JsonSchemaGrammar(JsonNode root, String field) {
        this.root = root;
        this.field = field;
    }

    /** The grammar for {@code schema}; a schema it cannot follow is a 400 naming {@code field}. */
    public static String of(JsonNode schema, String field) {
        if (schema == null || !schema.isObject()) {
            throw ModeldException.invalid(field + ": must be a JSON Schema object");
        }
        SchemaBounds.check(schema, field);
        JsonSchemaGrammar g = new JsonSchemaGrammar(schema, field);
        String top = g.rule(schema);
        StringBuilder out = new StringBuilder("root ::= ").append(top).append('\n');
        g.rules.forEach((name, body) -> out.append(name).append(" ::= ").append(body).append('\n'));
        out.append(PRIMITIVES);
        return out.toString();
    }

    private static final String PRIMITIVES = """
            ws ::= | " " | "\\n" [ \\t]{0,20}
            string ::= "\\"" ( [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\bfnrt] | "u" [0-9a-fA-F]{4}) )* "\\"" ws
            number ::= "-"? ([0-9] | [1-9] [0-9]{0,15}) ("." [0-9]+)? ([eE] [-+]? [0-9]{1,3})? ws
            integer ::= "-"? ([0-9] | [1-9] [0-9]{0,15}) ws
            boolean ::= ("true" | "false") ws
            null ::= "null" ws
            value ::= object | array | string | number | boolean | null
            object ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
            array ::= "[" ws ( value ("," ws value)* )? "]" ws
            """;

    /** A rule (or an inline expression) matching {@code schema}. */
    private String rule(JsonNode schema) {
        if (rules.size() > MAX_RULES) {
            throw ModeldException.invalid(field + ": the schema is too large");
        }
        if (schema.isBoolean()) {
            return schema.booleanValue() ? "value" : fail("a schema of false matches nothing");
        }
        if (!schema.isObject()) {
            return fail("every schema must be an object");
        }
        if (schema.has("$ref")) {
            return ref(schema.get("$ref").asText());
        }
        if (schema.has("const")) {
            return literal(schema.get("const"));
        }
        if (schema.has("enum")) {
            List<String> alts = new ArrayList<>();
            schema.get("enum").forEach(v -> alts.add(literal(v)));
            return alts.isEmpty() ? fail("an empty enum matches nothing") : define(String.join(" | ", alts));
        }
        for (String key : List.of("anyOf", "oneOf")) {
            if (schema.has(key)) {
                List<String> alts = new ArrayList<>();
                schema.get(key).forEach(s -> alts.add(rule(s)));
                return define(String.join(" | ", alts));
            }
        }
        if (schema.has("allOf") && schema.get("allOf").size() == 1) {
            return rule(schema.get("allOf").get(0));
        }
        JsonNode type = schema.get("type");
        if (type != null && type.isArray()) {
            List<String> alts = new ArrayList<>();
            type.forEach(t -> alts.add(typed(t.asText(), schema)));
            return define(String.join(" | ", alts));
        }
        if (type == null) {
            return schema.has("properties") ? typed("object", schema) : schema.has("items") ? typed("array", schema) : "value";
        }
        return typed(type.asText(), schema);
    }

    private String typed(String type, JsonNode schema) {
        return switch (type) {
            case "string", "number", "integer", "boolean", "null" -> type;
            case "object" -> object(schema);
            case "array" -> array(schema);
            default -> fail("type '" + type + "' is not a JSON Schema type");
        };
    }

    private String object(JsonNode schema) {
        JsonNode props = schema.get("properties");
        if (props == null || props.isEmpty()) {
            return "object";
        }
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        List<String> first = new ArrayList<>();
        List<String> optional = new ArrayList<>();
        props.fieldNames().forEachRemaining(name -> {
            String kv = quoted(com.fasterxml.jackson.databind.node.TextNode.valueOf(name).toString()) + " ws \":\" ws "
                    + rule(props.get(name));
            (required.contains(name) ? first : optional).add(kv);
        });
        StringBuilder body = new StringBuilder("\"{\" ws ");
        if (!first.isEmpty()) {
            body.append(String.join(" \",\" ws ", first));
            optional.forEach(o -> body.append(" (\",\" ws ").append(o).append(")?"));
        } else {
            body.append("( ").append(optional.get(0));
            optional.subList(1, optional.size()).forEach(o -> body.append(" (\",\" ws ").append(o).append(")?"));
            body.append(" )?");
        }
        body.append(" \"}\" ws");
        return define(body.toString());
    }

    private String array(JsonNode schema) {
        String item = schema.has("items") ? rule(schema.get("items")) : "value";
        long min = schema.path("minItems").asLong(0);
        long max = schema.has("maxItems") ? schema.get("maxItems").asLong() : -1;
        if (min > 100 || max > 100) {
            return fail("minItems and maxItems above 100 are not supported");
        }
        StringBuilder body = new StringBuilder("\"[\" ws ");
        if (min == 0) {
            body.append("( ").append(item).append(repeat(item, 0, max < 0 ? -1 : max - 1)).append(" )?");
        } else {
            body.append(item).append(repeat(item, min - 1, max < 0 ? -1 : max - 1));
        }
        return define(body.append(" \"]\" ws").toString());
    }

    private static String repeat(String item, long min, long max) {
        String one = " (\",\" ws " + item + ")";
        return max < 0 ? one + "{" + min + ",}" : one + "{" + min + "," + max + "}";
    }

    private String ref(String ref) {
        String existing = refs.get(ref);
        if (existing != null) {
            return existing;
        }
        String[] path = ref.split("/");
        if (path.length != 3 || !path[0].equals("#") || !(path[1].equals("$defs") || path[1].equals("definitions"))) {
            return fail("$ref '" + ref + "' must point into #/$defs or #/definitions");
        }
        JsonNode target = root.path(path[1]).get(path[2]);
        if (target == null) {
            return fail("$ref '" + ref + "' points at nothing");
        }
        String name = "r" + next++;
        refs.put(ref, name);
        rules.put(name, "");
        rules.put(name, rule(target));
        return name;
    }

    private String define(String body) {
        String name = "r" + next++;
        rules.put(name, body);
        return name;
    }

    private String literal(JsonNode value) {
        return quoted(value.toString()) + " ws";
    }

    /** A GBNF string literal of {@code text}. */
    private static String quoted(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private String fail(String why) {
        throw ModeldException.invalid(field + ": " + why);
    }
}
