package io.modeld.inference;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.ModeldException;
import org.junit.jupiter.api.Test;

/** The bounds on schemas, with the shapes issue 29's probe sent and the shapes real agents send. */
public class SchemaBoundsTest {

    /**
     * The probe's shape: level k is anyOf {@code width} arrays (each begins with '[') whose items are level k+1,
     * through $defs, {@code depth} levels (12 levels of 4 are 4.4 KB).
     */
    public static JsonNode nestedArrays(int depth, int width) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("$ref", "#/$defs/l0");
        ObjectNode defs = root.putObject("$defs");
        for (int d = 0; d < depth; d++) {
            var alts = defs.putObject("l" + d).putArray("anyOf");
            for (int i = 0; i < width; i++) {
                ObjectNode arr = alts.addObject().put("type", "array").put("minItems", i);
                if (d + 1 < depth) {
                    arr.putObject("items").put("$ref", "#/$defs/l" + (d + 1));
                } else {
                    arr.putObject("items").put("type", "string");
                }
            }
        }
        return root;
    }

    public static ObjectNode objectOf(int properties, int required) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("type", "object");
        ObjectNode props = o.putObject("properties");
        var req = o.putArray("required");
        for (int i = 0; i < properties; i++) {
            props.putObject("p" + i).put("type", "string");
            if (i < required) {
                req.add("p" + i);
            }
        }
        return o;
    }

    @Test
    void the_probes_nested_alternatives_are_refused_naming_how_many_readings_they_allow() {
        assertThatThrownBy(() -> SchemaBounds.check(nestedArrays(12, 4), "response_format.json_schema.schema"))
                .isInstanceOfSatisfying(ModeldException.class, e -> org.assertj.core.api.Assertions.assertThat(e.kind())
                        .isEqualTo(ModeldException.Kind.INVALID))
                .hasMessageContaining("response_format.json_schema.schema").hasMessageContaining("16777216 readings")
                .hasMessageContaining("4096");
    }

    @Test
    void alternatives_that_begin_differently_or_nest_a_little_pass() {
        assertThatCode(() -> SchemaBounds.check(nestedArrays(5, 4), "format")).doesNotThrowAnyException();
        ObjectNode distinct = Json.MAPPER.createObjectNode();
        var alts = distinct.putArray("anyOf");
        for (String t : new String[] {"object", "array", "string", "number", "boolean", "null"}) {
            alts.addObject().put("type", t);
        }
        JsonNode s = distinct;
        for (int d = 0; d < 20; d++) {
            ObjectNode wrap = Json.MAPPER.createObjectNode().put("type", "array");
            wrap.set("items", s);
            s = wrap;
        }
        JsonNode deepButDistinct = s;
        assertThatCode(() -> SchemaBounds.check(deepButDistinct, "format")).doesNotThrowAnyException();
    }

    @Test
    void a_tool_of_thousands_of_optional_properties_is_refused_and_so_many_required_ones_too() {
        assertThatThrownBy(() -> SchemaBounds.check(objectOf(2200, 0), "tools[0].function.parameters"))
                .hasMessageContaining("tools[0].function.parameters").hasMessageContaining("2200 properties");
        assertThatThrownBy(() -> SchemaBounds.check(objectOf(300, 100), "tools[0].function.parameters"))
                .hasMessageContaining("200 optional properties").hasMessageContaining("required");
        assertThatCode(() -> SchemaBounds.check(objectOf(400, 300), "tools[0].function.parameters"))
                .doesNotThrowAnyException();
    }

    @Test
    void depth_and_size_are_bounded() {
        JsonNode deep = Json.MAPPER.createObjectNode().put("type", "string");
        for (int d = 0; d < 40; d++) {
            ObjectNode o = Json.MAPPER.createObjectNode().put("type", "object");
            o.putObject("properties").set("x", deep);
            deep = o;
        }
        JsonNode tooDeep = deep;
        assertThatThrownBy(() -> SchemaBounds.check(tooDeep, "format")).hasMessageContaining("nested more than 32");
        ObjectNode big = Json.MAPPER.createObjectNode().put("type", "string").put("description", "x".repeat(70_000));
        assertThatThrownBy(() -> SchemaBounds.check(big, "format")).hasMessageContaining("more than the 65536");
    }

    @Test
    void a_recursive_schema_is_read_once_per_level() {
        JsonNode tree = Json.MAPPER.createObjectNode().put("$ref", "#/$defs/node");
        ObjectNode root = (ObjectNode) tree;
        ObjectNode node = root.putObject("$defs").putObject("node").put("type", "object");
        ObjectNode props = node.putObject("properties");
        props.putObject("name").put("type", "string");
        props.putObject("children").put("type", "array").putObject("items").put("$ref", "#/$defs/node");
        assertThatCode(() -> SchemaBounds.check(root, "format")).doesNotThrowAnyException();
    }

    @Test
    void a_tool_set_as_large_as_an_agents_passes() {
        // Claude Code offers ~24 tools in ~76 KB of JSON; each schema a few KB with nested objects and enums
        var tools = Json.MAPPER.createArrayNode();
        for (int i = 0; i < 30; i++) {
            ObjectNode p = objectOf(40, 10);
            p.with("properties").putObject("mode").putArray("enum").add("read").add("write").add("append");
            tools.addObject().put("type", "function").putObject("function").put("name", "tool" + i)
                    .put("description", "d".repeat(2000)).set("parameters", p);
        }
        assertThatCode(() -> ToolSpecs.of(tools, "tools")).doesNotThrowAnyException();
    }
}
