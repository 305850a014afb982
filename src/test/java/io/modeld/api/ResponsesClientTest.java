package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.Json;
import io.modeld.testing.AgentModels;
import io.modeld.testing.NodeTests;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI's Responses API through the openai npm client (src/test/node/responses-client.test.mjs): message,
 * reasoning and function_call items whole and streamed, input_tokens, stored responses continued, listed
 * and deleted, errors; then a restart, after which a stored response is still there. The models are
 * scripted tiny llamas with ChatML and Qwen3 templates, run by the real engine.
 */
class ResponsesClientTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path files;

    @Test
    void the_openai_client_speaks_the_responses_api_and_stored_responses_survive_a_restart() throws Exception {
        AgentModels.hello(daemon, files, "hello");
        AgentModels.qwen3(daemon, files, "qwen3-agent");
        AgentModels.thinker(daemon, files, "thinker");
        Path idFile = files.resolve("response-id");
        NodeTests.run("responses-client.test.mjs", Map.of("MODELD_URL", "http://127.0.0.1:" + daemon.port(),
                "RESPONSE_FILE", idFile.toString()), 8, files);
        String id = Files.readString(idFile);
        daemon.restart();
        var kept = TestDaemon.ok(daemon.get("/v1/responses/" + id));
        assertThat(kept.get("id").asText()).isEqualTo(id);
        assertThat(kept.at("/output/0/content/0/text").asText()).isEqualTo("Hello, world!");
        assertThat(Json.MAPPER.readTree(daemon.get("/v1/responses/" + id + "/input_items").body()).at("/data/0/content/0/text")
                .asText()).isEqualTo("Hi there");
    }
}
