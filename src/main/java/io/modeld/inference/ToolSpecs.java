package io.modeld.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.ModeldException;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The tools a request offers, in the shape OpenAI and Ollama share ({@code [{"type": "function", "function":
 * {"name", "description", "parameters"}}]}), checked: a name of letters, digits, '_', '-' and '.', each once;
 * parameters a JSON Schema object. An empty list is no tools. And {@code tool_choice}: "auto", "none",
 * "required", or a function the model must call.
 */
public final class ToolSpecs {

    /** More tools than this is no agent's need, and each costs prompt tokens. */
    public static final int MAX_TOOLS = 128;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private ToolSpecs() {
    }

    /** The tools of {@code field}, normalised; null when absent or empty. */
    public static ArrayNode of(JsonNode tools, String field) {
        if (tools == null || tools.isNull() || tools.isArray() && tools.isEmpty()) {
            return null;
        }
        if (!tools.isArray()) {
            throw ModeldException.invalid(field + ": must be an array of {\"type\": \"function\", \"function\": {...}}");
        }
        if (tools.size() > MAX_TOOLS) {
            throw ModeldException.invalid(field + ": at most " + MAX_TOOLS + " tools");
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String where = field + "[" + i + "]";
            if (!t.isObject() || !"function".equals(t.path("type").asText("function"))) {
                throw ModeldException.invalid(where + ": must be {\"type\": \"function\", \"function\": {...}}");
            }
            JsonNode f = t.path("function");
            String name = f.path("name").asText("");
            if (!NAME.matcher(name).matches()) {
                throw ModeldException.invalid(where + ".function.name: required, 1 to 64 letters, digits, '_', '-' or '.'");
            }
            if (!names.add(name)) {
                throw ModeldException.invalid(where + ".function.name: '" + name + "' is offered twice");
            }
            JsonNode params = f.get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw ModeldException.invalid(where + ".function.parameters: must be a JSON Schema object");
            }
            if (params != null && params.isObject()) {
                SchemaBounds.check(params, where + ".function.parameters");
            }
            ObjectNode fn = JsonNodeFactory.instance.objectNode().put("name", name);
            if (f.path("description").isTextual()) {
                fn.put("description", f.get("description").asText());
            }
            fn.set("parameters", params == null || params.isNull()
                    ? JsonNodeFactory.instance.objectNode().put("type", "object") : params);
            out.addObject().put("type", "function").set("function", fn);
        }
        int bytes = out.toString().length();
        if (bytes > SchemaBounds.MAX_TOOLS_BYTES) {
            throw ModeldException.invalid(field + ": the tools are " + bytes + " bytes together, more than the "
                    + SchemaBounds.MAX_TOOLS_BYTES + " one request may offer");
        }
        return out;
    }

    /** {@code tool_choice}: checked against the tools; null when absent. */
    public static JsonNode choice(JsonNode choice, ArrayNode tools, String field) {
        if (choice == null || choice.isNull()) {
            return null;
        }
        if (choice.isTextual() && Set.of("auto", "none", "required").contains(choice.textValue())) {
            return choice;
        }
        if (choice.isObject() && choice.path("function").path("name").isTextual()) {
            String name = choice.get("function").get("name").asText();
            boolean offered = tools != null && java.util.stream.StreamSupport.stream(tools.spliterator(), false)
                    .anyMatch(t -> t.path("function").path("name").asText().equals(name));
            if (!offered) {
                throw ModeldException.invalid(field + ": names the function '" + name + "', which is not among the tools");
            }
            return JsonNodeFactory.instance.objectNode().put("type", "function").set("function",
                    JsonNodeFactory.instance.objectNode().put("name", name));
        }
        throw ModeldException.invalid(field + ": must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", "
                + "\"function\": {\"name\": ...}}");
    }
}
