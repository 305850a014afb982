package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.testing.AgentModels;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A quantized KV cache with flash attention, through the real engine: the model answers the same, /memory says so. */
class KvCacheTest {

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder()
            .kvCache("q8_0", "on").build());
    @TempDir
    Path files;

    @Test
    void a_q8_0_cache_answers_and_is_shown_and_a_bad_pair_changes_nothing() throws Exception {
        AgentModels.hello(daemon, files, "hello");
        JsonNode answer = ok(daemon.post("/v1/chat/completions",
                "{\"model\": \"hello\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 8}"));
        assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Hello, world!");
        JsonNode loaded = ok(daemon.get("/memory")).at("/loaded/0");
        assertThat(loaded.get("kvCacheType").asText()).isEqualTo("q8_0");
        assertThat(loaded.get("flashAttention").asText()).isEqualTo("on");

        HttpResponse<String> refused = daemon.send(HttpRequest.newBuilder(daemon.uri("/settings"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"kvCacheType\": \"q4_0\", \"flashAttention\": \"off\"}"))
                .header("Content-Type", "application/json").build());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("flash attention");
        JsonNode settings = ok(daemon.get("/settings"));
        assertThat(settings.get("kvCacheType").asText()).isEqualTo("q8_0");
        assertThat(settings.get("flashAttention").asText()).isEqualTo("on");
    }
}
