package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.inference.SchemaBoundsTest;
import io.modeld.testing.AgentModels;
import io.modeld.testing.SocketFrames;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What issue 29's probe sent, through the doors, on a real model: each is refused with a 400 that says why,
 * before the runner spends time on it, and the model answers the next request as before.
 */
class BoundsBeforeWorkTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().context(4096).build());   // a context whose 16× fits a body
    @TempDir
    Path files;

    private static String message(String model, String content) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":" + Json.MAPPER.valueToTree(content)
                + "}]";
    }

    private static String error(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body()).at("/error/message").asText();
    }

    @Test
    void a_tool_of_thousands_of_optional_properties_is_a_400_on_every_door_and_the_runner_lives() throws Exception {
        String model = AgentModels.qwen3(daemon, files, "agent");
        ObjectNode tool = Json.MAPPER.createObjectNode().put("type", "function");
        tool.putObject("function").put("name", "wide").set("parameters", SchemaBoundsTest.objectOf(2200, 0));
        String tools = ",\"tools\":[" + tool + "]}";
        for (String path : new String[] {"/v1/chat/completions", "/apply-template", "/api/chat"}) {
            HttpResponse<String> r = daemon.post(path, message(model, "hi") + tools.replace("}]}", "}],\"stream\":false}"));
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(400);
            assertThat(r.body()).as(path).contains("tools[0].function.parameters").contains("2200 properties");
        }
        JsonNode answer = ok(daemon.post("/v1/chat/completions", message(model, "Weather in Paris?") + "}"));
        assertThat(answer.at("/choices/0/finish_reason").asText()).isNotEmpty();
    }

    @Test
    void the_probes_response_format_is_a_400_naming_the_field() throws Exception {
        String model = AgentModels.hello(daemon, files, "hello");
        ObjectNode format = Json.MAPPER.createObjectNode().put("type", "json_schema");
        format.putObject("json_schema").put("name", "nested").set("schema", SchemaBoundsTest.nestedArrays(12, 4));
        HttpResponse<String> r = daemon.post("/v1/chat/completions", message(model, "hi") + ",\"response_format\":"
                + format + "}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r)).startsWith("response_format.json_schema.schema:").contains("readings");
        HttpResponse<String> ollama = daemon.post("/api/chat", message(model, "hi") + ",\"stream\":false,\"format\":"
                + SchemaBoundsTest.nestedArrays(12, 4) + "}");
        assertThat(ollama.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(ollama.body()).get("error").asText()).startsWith("format:");
    }

    @Test
    void a_prompt_far_longer_than_the_context_is_refused_before_it_is_read_on_every_door() throws Exception {
        String model = AgentModels.hello(daemon, files, "hello");
        ok(daemon.post("/v1/chat/completions", message(model, "hi") + "}"));
        int context = ok(daemon.get("/memory")).at("/loaded/0/context").asInt();
        String huge = "a".repeat(context * 16 + 1);
        HttpResponse<String> v1 = daemon.post("/v1/chat/completions", message(model, huge) + "}");
        assertThat(v1.statusCode()).isEqualTo(400);
        assertThat(error(v1)).contains((context * 16 + 1) + " characters").contains("context of " + context + " tokens");
        HttpResponse<String> raw = daemon.post("/v1/completions", "{\"model\":\"" + model + "\",\"prompt\":\"" + huge + "\"}");
        assertThat(raw.statusCode()).isEqualTo(400);
        HttpResponse<String> ollama = daemon.post("/api/generate", "{\"model\":\"" + model + "\",\"stream\":false,"
                + "\"prompt\":\"" + huge + "\"}");
        assertThat(ollama.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(ollama.body()).get("error").asText()).contains("characters");

        // QGPT: refused before anything is kept, the socket still answers
        try (SocketFrames qgpt = SocketFrames.open(daemon.port(), "/qgpt/stream")) {
            ObjectNode q = Json.MAPPER.createObjectNode();
            q.putObject("relevance").put("query", huge).put("model", model);
            qgpt.send(q.toString());
            JsonNode failed = qgpt.next(30).json();
            assertThat(failed.get("status").asText()).isEqualTo("FAILED");
            assertThat(failed.get("statusCode").asInt()).isEqualTo(400);
            assertThat(failed.get("conversation").asText()).isEmpty();
            assertThat(ok(daemon.get("/conversations")).get("iterable")).as("nothing kept").isEmpty();
            q.with("relevance").put("query", "hi");
            qgpt.send(q.toString());
            JsonNode frame;
            do {
                frame = qgpt.next(30).json();
            } while (frame.get("status").asText().equals("IN-PROGRESS"));
            assertThat(frame.get("status").asText()).isEqualTo("COMPLETED");
        }
    }
}
