package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.testing.AgentModels;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** llama-server's /tokenize and /detokenize, with a model named, through the real engine on a scripted Qwen3 vocabulary. */
class TokensTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    private static List<Integer> ids(JsonNode tokens) {
        List<Integer> out = new ArrayList<>();
        tokens.forEach(t -> out.add(t.isObject() ? t.get("id").asInt() : t.asInt()));
        return out;
    }

    @Test
    void text_becomes_tokens_and_back() throws Exception {
        AgentModels.qwen3(daemon, files, "qwen");
        JsonNode plain = ok(daemon.post("/tokenize", "{\"model\": \"qwen\", \"content\": \"Hello<|im_start|>\"}"));
        // a byte vocabulary , then the control token whole, the last id
        int n = plain.get("tokens").size();
        assertThat(plain.get("tokens").get(n - 1).asInt()).isGreaterThanOrEqualTo(3 + 256);   // past the byte tokens
        JsonNode unparsed = ok(daemon.post("/tokenize", "{\"model\": \"qwen\", \"content\": \"Hello<|im_start|>\", "
                + "\"parse_special\": false, \"with_pieces\": true}"));
        assertThat(unparsed.get("tokens")).hasSize("Hello<|im_start|>".length());
        assertThat(unparsed.at("/tokens/0/piece").asText()).isEqualTo("H");
        JsonNode back = ok(daemon.post("/detokenize", "{\"model\": \"qwen\", \"tokens\": "
                + Json.MAPPER.writeValueAsString(ids(plain.get("tokens"))) + "}"));
        assertThat(back.get("content").asText()).isEqualTo("Hello<|im_start|>");

        HttpResponse<String> wrong = daemon.post("/detokenize", "{\"model\": \"qwen\", \"tokens\": [999999]}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(wrong.body()).at("/error/message").asText()).contains("999999");
        HttpResponse<String> noModel = daemon.post("/tokenize", "{\"model\": \"nope\", \"content\": \"x\"}");
        assertThat(noModel.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(noModel.body()).at("/error/code").asText()).isEqualTo("model_not_found");
        assertThat(daemon.post("/detokenize", "{\"model\": \"qwen\", \"tokens\": [\"a\"]}").statusCode()).isEqualTo(400);
    }
}
