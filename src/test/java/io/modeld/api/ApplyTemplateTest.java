package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.AgentModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.TemplateRenders;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /apply-template} through the OpenAI door, on models that carry real templates in their GGUF:
 * the same bodies tools/template-renders.sh sent llama-server give the same prompts, so the door's reading of
 * OpenAI messages (tool calls with string arguments, tool results by id, template variables) is llama-server's.
 */
class ApplyTemplateTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    static final String PLAIN = "[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
            + "{\"role\":\"user\",\"content\":\"Hello!\"},{\"role\":\"assistant\",\"content\":\"Hi there. How can I help?\"},"
            + "{\"role\":\"user\",\"content\":\"What is 2+2?\"}]";
    static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":"
            + "\"The weather in a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
            + "\"required\":[\"city\"]}}}]";
    static final String TRIP = "[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
            + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":"
            + "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
            + "\"{\\\"city\\\": \\\"Paris\\\"}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"name\":\"get_weather\","
            + "\"content\":\"{\\\"temperature\\\": 21}\"},{\"role\":\"user\",\"content\":\"Thanks!\"}]";

    @Test
    void the_door_renders_what_llama_server_renders() throws Exception {
        for (String template : new String[] {"Qwen-Qwen3-0.6B", "meta-llama-Llama-3.1-8B-Instruct", "openai-gpt-oss-120b"}) {
            Path file = files.resolve(template + ".gguf");
            TinyLlama.CHAT.write(file, 1, AgentModels.template(template));
            String name = template.toLowerCase(java.util.Locale.ROOT);
            Downloading.downloaded(daemon, file, name);
            assertThat(prompt(name, "{\"messages\":" + PLAIN + "}")).as(template)
                    .isEqualTo(TemplateRenders.expected(template, "plain"));
            assertThat(prompt(name, "{\"messages\":" + TRIP + ",\"tools\":" + TOOLS + "}")).as(template)
                    .isEqualTo(TemplateRenders.expected(template, "tools"));
            assertThat(prompt(name, "{\"messages\":" + PLAIN + ",\"chat_template_kwargs\":{\"enable_thinking\":false}}"))
                    .as(template).isEqualTo(TemplateRenders.expected(template, "nothink"));
        }
    }

    @Test
    void a_conversation_the_template_refuses_is_a_400_in_openai_words() throws Exception {
        Path file = files.resolve("nemo.gguf");
        TinyLlama.CHAT.write(file, 1, AgentModels.template("mistralai-Mistral-Nemo-Instruct-2407"));
        Downloading.downloaded(daemon, file, "nemo");
        HttpResponse<String> r = daemon.post("/apply-template", "{\"model\":\"nemo\",\"messages\":" + TRIP
                + ",\"tools\":" + TOOLS + "}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(r.body()).path("error").path("message").asText()).contains("alternate");
        HttpResponse<String> bad = daemon.post("/apply-template", "{\"model\":\"nemo\",\"messages\":" + PLAIN
                + ",\"chat_template_kwargs\":{\"enable_thinking\":\"no\"}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("chat_template_kwargs.enable_thinking");
    }

    @Test
    void an_agent_loop_on_mistral_renders_with_the_call_ids_modeld_gives() throws Exception {
        // Mistral's templates take only 9-letter ids: the shape of the ids modeld gives tool calls
        Path file = files.resolve("nemo.gguf");
        TinyLlama.CHAT.write(file, 1, AgentModels.template("mistralai-Mistral-Nemo-Instruct-2407"));
        Downloading.downloaded(daemon, file, "nemo");
        String loop = "[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},{\"role\":\"assistant\",\"content\":\"\","
                + "\"tool_calls\":[{\"id\":\"aB3dE6gH9\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"aB3dE6gH9\","
                + "\"content\":\"21\"}]";
        assertThat(prompt("nemo", "{\"messages\":" + loop + ",\"tools\":" + TOOLS + "}"))
                .contains("[TOOL_CALLS]").contains("aB3dE6gH9").contains("[TOOL_RESULTS]");
    }

    private String prompt(String model, String body) throws Exception {
        HttpResponse<String> r = daemon.post("/apply-template", "{\"model\":\"" + model + "\"," + body.substring(1));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode json = Json.MAPPER.readTree(r.body());
        return json.path("prompt").asText();
    }
}
