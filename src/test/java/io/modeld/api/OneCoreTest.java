package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One inference core under every door: a model made through Ollama's create answers with its Modelfile
 * on {@code /v1} as on {@code /api}, and the doors' errors speak of their own routes only.
 */
class OneCoreTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();

    @TempDir
    Path files;

    private static final String SYSTEM = "You are a careful assistant who answers in one short sentence.";

    private int openAiPromptTokens(String model, String text) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", model).put("max_tokens", 1);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return ok(daemon.post("/v1/chat/completions", body)).get("usage").get("prompt_tokens").asInt();
    }

    private int ollamaPromptTokens(String model, String text) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", model).put("stream", false);
        body.putObject("options").put("num_predict", 1);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return ok(daemon.post("/api/chat", body)).get("prompt_eval_count").asInt();
    }

    @Test
    void a_model_made_with_a_system_prompt_and_num_ctx_answers_the_same_on_v1_and_api() throws Exception {
        Path file = files.resolve("base.gguf");
        TinyModels.qwen3(file, 1);
        Downloading.downloaded(daemon, file, "base");
        String lines = daemon.post("/api/create", "{\"model\": \"careful\", \"from\": \"base\", \"system\": \"" + SYSTEM
                + "\", \"parameters\": {\"num_ctx\": 256}, \"stream\": false}").body();
        assertThat(lines).contains("success");

        // Ollama's prompt_eval_count counts what was evaluated: asked first, each model's slots are empty
        int api = ollamaPromptTokens("careful", "Hi");
        int baseApi = ollamaPromptTokens("base", "Hi");
        int base = openAiPromptTokens("base", "Hi");
        int v1 = openAiPromptTokens("careful", "Hi");
        assertThat(v1).as("the Modelfile's system prompt is read on /v1 too").isEqualTo(api)
                .isGreaterThan(base + SYSTEM.length() / 2);
        assertThat(baseApi).isEqualTo(base);

        String long300 = "word ".repeat(60);
        assertThat(openAiPromptTokens("base", long300)).as("fits the base model's 512").isGreaterThan(256);
        ObjectNode chat = Json.MAPPER.createObjectNode().put("model", "careful").put("max_tokens", 1);
        chat.putArray("messages").addObject().put("role", "user").put("content", long300);
        HttpResponse<String> v1Refused = daemon.post("/v1/chat/completions", chat);
        ObjectNode ollama = Json.MAPPER.createObjectNode().put("model", "careful").put("stream", false);
        ollama.putArray("messages").addObject().put("role", "user").put("content", long300);
        HttpResponse<String> apiRefused = daemon.post("/api/chat", ollama);
        assertThat(v1Refused.statusCode()).isEqualTo(400);
        assertThat(apiRefused.statusCode()).isEqualTo(400);
        assertThat(v1Refused.body()).contains("context holds 256");
        assertThat(apiRefused.body()).contains("context holds 256");
    }

    @Test
    void ollama_and_openai_clients_never_see_a_pieces_route_in_an_error() throws Exception {
        Path file = files.resolve("base.gguf");
        TinyModels.qwen3(file, 1);
        Downloading.downloaded(daemon, file, "base");
        ok(daemon.post("/models/create", "{\"name\": \"nowhere\", \"unique\": \"nowhere\"}"));
        String catalog = "qwen3-0.6b-q4_k_m";
        List<HttpResponse<String>> answers = List.of(
                daemon.post("/v1/chat/completions", "{\"model\": \"" + catalog + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
                daemon.post("/v1/chat/completions", "{\"model\": \"no-such-model\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
                daemon.post("/v1/embeddings", "{\"model\": \"nowhere\", \"input\": \"x\"}"),
                daemon.post("/v1/completions", "{\"model\": \"nowhere\", \"prompt\": \"x\"}"),
                daemon.get("/v1/models/no-such-model"),
                daemon.post("/api/chat", "{\"model\": \"" + catalog + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"),
                daemon.post("/api/show", "{\"model\": \"no-such-model\"}"),
                daemon.post("/api/pull", "{\"model\": \"nowhere\", \"stream\": false}"),
                daemon.send(HttpRequest.newBuilder(daemon.uri("/api/delete"))
                        .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"model\": \"no-such-model\"}")).build()));
        for (HttpResponse<String> r : answers) {
            assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isBetween(400, 599);
            assertThat(r.body()).as(r.uri().toString()).doesNotContainPattern("(?<!/v1)/models|/model/|delete/cache");
        }
        HttpResponse<String> pieces = daemon.post("/model/" + catalog + "/load", "");
        assertThat(pieces.statusCode()).isEqualTo(409);
        assertThat(pieces.body()).as("the Pieces door names its own route").contains("/download");
        JsonNode openai = Json.MAPPER.readTree(answers.get(0).body());
        assertThat(openai.get("error").get("message").asText()).contains("not downloaded");
    }
}
