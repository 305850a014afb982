package io.modeld.runtime;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The current engine through the daemon's doors: this year's architectures, exact counts, seeds, grammars. */
class EngineApiTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    private ObjectNode chat(String model, String content) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", content);
        return body;
    }

    @Test
    void tiny_qwen3_and_gemma3_models_load_through_the_pieces_api_and_chat() throws Exception {
        Path qwen = files.resolve("qwen3.gguf");
        Path gemma = files.resolve("gemma3.gguf");
        TinyModels.qwen3(qwen, 1);
        TinyModels.gemma3(gemma, 2);
        for (Path file : new Path[] {qwen, gemma}) {
            String unique = file.getFileName().toString().replace(".gguf", "");
            String id = Downloading.downloaded(daemon, file, unique);
            assertThat(ok(daemon.post("/model/" + id + "/load", "")).get("loaded").asBoolean()).as(unique).isTrue();
            JsonNode answer = ok(daemon.post("/v1/chat/completions", chat(unique, "Hi").put("max_tokens", 5)
                    .put("ignore_eos", true).put("seed", 3)));
            assertThat(answer.get("usage").get("completion_tokens").asInt()).as(unique).isEqualTo(5);
            assertThat(answer.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
            // ChatML around "Hi": BOS, the template's text and the assistant's turn, all real tokens.
            assertThat(answer.get("usage").get("prompt_tokens").asInt()).isGreaterThan(20);
        }
    }

    @Test
    void max_tokens_with_ignore_eos_gives_exactly_that_many_and_length() throws Exception {
        Downloading.tinyModel(daemon, files, "six", 1);
        for (boolean stream : new boolean[] {false, true}) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("model", "six").put("prompt", "Hello")
                    .put("max_tokens", 6).put("ignore_eos", true).put("stream", stream);
            body.putObject("stream_options").put("include_usage", true);
            HttpResponse<String> r = daemon.post("/v1/completions", body);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode usage;
            String finish;
            if (stream) {
                var events = r.body().lines().filter(l -> l.startsWith("data: {")).map(l -> parse(l.substring(6))).toList();
                usage = events.get(events.size() - 1).get("usage");
                finish = events.get(events.size() - 2).get("choices").get(0).get("finish_reason").asText();
            } else {
                usage = parse(r.body()).get("usage");
                finish = parse(r.body()).get("choices").get(0).get("finish_reason").asText();
            }
            assertThat(usage.get("completion_tokens").asInt()).as("stream " + stream).isEqualTo(6);
            assertThat(finish).isEqualTo("length");
        }
    }

    @Test
    void the_same_seed_and_parameters_give_the_same_text_twice() throws Exception {
        Downloading.tinyModel(daemon, files, "seeded", 2);
        ObjectNode body = chat("seeded", "Tell me something").put("max_tokens", 24).put("seed", 1234)
                .put("temperature", 1.0).put("top_p", 0.95).put("ignore_eos", true);
        String first = ok(daemon.post("/v1/chat/completions", body)).get("choices").get(0).get("message").get("content").asText();
        String second = ok(daemon.post("/v1/chat/completions", body)).get("choices").get(0).get("message").get("content").asText();
        String other = ok(daemon.post("/v1/chat/completions", body.put("seed", 99))).get("choices").get(0)
                .get("message").get("content").asText();
        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void response_formats_force_json_that_parses() throws Exception {
        Downloading.tinyModel(daemon, files, "jsonish", 3);
        ObjectNode body = chat("jsonish", "Give me JSON").put("max_tokens", 200).put("seed", 5).put("temperature", 0.7);
        body.putObject("response_format").put("type", "json_object");
        JsonNode answer = ok(daemon.post("/v1/chat/completions", body));
        String text = answer.get("choices").get(0).get("message").get("content").asText();
        if (answer.get("choices").get(0).get("finish_reason").asText().equals("stop")) {
            assertThat(parse(text).isObject()).as(text).isTrue();
        } else {
            assertThat(text).startsWith("{");
        }

        ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
        schema.putObject("properties").putObject("answer").put("type", "string").putArray("enum").add("yes").add("no");
        schema.putArray("required").add("answer");
        ObjectNode format = body.putObject("response_format").put("type", "json_schema");
        format.putObject("json_schema").put("name", "a").set("schema", schema);
        String typed = ok(daemon.post("/v1/chat/completions", body)).get("choices").get(0).get("message").get("content").asText();
        assertThat(parse(typed).get("answer").asText()).isIn("yes", "no");

        ObjectNode bad = chat("jsonish", "x");
        bad.putObject("response_format").put("type", "json_schema").putObject("json_schema").put("schema", "nope");
        HttpResponse<String> refused = daemon.post("/v1/chat/completions", bad);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(parse(refused.body()).get("error").get("message").asText()).contains("response_format.json_schema.schema");
    }

    @Test
    void openai_errors_come_in_openais_shape() throws Exception {
        HttpResponse<String> unknown = daemon.post("/v1/chat/completions", chat("no-such-model", "Hi"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        JsonNode error = parse(unknown.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("model_not_found");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).contains("no-such-model");
        HttpResponse<String> malformed = daemon.post("/v1/completions", "{\"model\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(parse(malformed.body()).get("error").get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(daemon.get("/v1/nothing").statusCode()).isEqualTo(404);
        assertThat(parse(daemon.get("/v1/nothing").body()).get("error").get("message").asText()).contains("no such endpoint");
        assertThat(daemon.get("/v1/models/no-such-model").statusCode()).isEqualTo(404);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
