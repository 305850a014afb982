package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.config.Config;
import io.modeld.testing.AgentModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.LocalPrometheus;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} read by a real Prometheus (Debian's) while the daemon answers chats and downloads a model, with
 * PromQL through its HTTP API; the probes ({@code /livez}, {@code /readyz}, {@code /health}) as a deployment asks
 * them; what an API key and {@code --metrics off} change.
 */
class MetricsTest {

    @TempDir
    Path home;

    private static double value(JsonNode result) {
        return result.isEmpty() ? -1 : result.get(0).path("value").path(1).asDouble();
    }

    @Test
    void prometheus_scrapes_the_counters_and_the_gateway_gauges_during_a_chat_and_a_download() throws Exception {
        assumeTrue(LocalPrometheus.installed(), "prometheus is not installed (.ci/run installs it)");
        try (TestDaemon daemon = TestDaemon.start(home.resolve("data"));
             LocalPrometheus prometheus = LocalPrometheus.start(home.resolve("prometheus"), daemon.port(), null)) {
            assertThat(daemon.get("/livez").statusCode()).isEqualTo(200);
            assertThat(daemon.get("/readyz").body()).isEqualTo("ok");

            String hello = AgentModels.hello(daemon, home, "hello");   // a download while Prometheus scrapes
            assertThat(daemon.get("/readyz?model=hello").statusCode()).isEqualTo(503);
            assertThat(daemon.get("/readyz?model=hello").body()).contains("model 'hello' is not loaded yet");
            for (int i = 0; i < 3; i++) {
                ok(daemon.post("/v1/chat/completions", "{\"model\": \"hello\", \"max_tokens\": 8, "
                        + "\"messages\": [{\"role\": \"user\", \"content\": \"Hi " + i + "\"}]}"));
            }
            assertThat(daemon.get("/readyz?model=hello").statusCode()).isEqualTo(200);
            assertThat(ok(daemon.get("/health")).get("status").asText()).isEqualTo("ok");

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                    value(prometheus.query("modeld_generated_tokens_total{model=\"hello\"}")) >= 12);
            assertThat(prometheus.target()).startsWith("up");
            assertThat(value(prometheus.query("modeld_requests_total{model=\"hello\",outcome=\"ok\"}"))).isEqualTo(3);
            assertThat(value(prometheus.query("sum(modeld_prompt_tokens_total{model=\"hello\"})"))).isPositive();
            assertThat(value(prometheus.query("modeld_time_to_first_token_seconds_count{model=\"hello\"}"))).isEqualTo(3);
            assertThat(value(prometheus.query("sum(modeld_http_requests_total{door=\"openai\",status=\"200\"})")))
                    .isEqualTo(3);
            assertThat(value(prometheus.query("modeld_load_time_seconds_count{model=\"hello\"}"))).isEqualTo(1);
            assertThat(value(prometheus.query("modeld_slots{model=\"hello\"}"))).isPositive();
            assertThat(value(prometheus.query("vllm:num_requests_waiting"))).as("the gateways' queue gauge").isZero();
            assertThat(value(prometheus.query("vllm:kv_cache_usage_perc"))).as("the gateways' cache gauge")
                    .isBetween(0.0, 1.0);
            assertThat(value(prometheus.query("modeld_memory_budget_bytes"))).isPositive();
            assertThat(value(prometheus.query("modeld_memory_used_bytes"))).isPositive();
            assertThat(value(prometheus.query("jvm_memory_used_bytes{area=\"heap\",id=~\".+\"}"))).isPositive();
            assertThat(value(prometheus.query("jvm_threads_states_threads{state=\"runnable\"}"))).isPositive();
            assertThat(value(prometheus.query("sum(jvm_threads_states_threads)")))
                    .isEqualTo(value(prometheus.query("jvm_threads_live_threads")), org.assertj.core.data.Offset.offset(8.0));
            assertThat(value(prometheus.query("process_cpu_time_seconds_total"))).isPositive();
            assertThat(hello).isNotBlank();
        }
    }

    @Test
    void the_metrics_need_the_api_key_and_the_probes_do_not() {
        String key = "metrics-test-key";
        try (TestDaemon daemon = TestDaemon.start(Config.forDataDir(home.resolve("keyed")).toBuilder().apiKey(key)
                .build())) {
            assertThat(daemon.get("/metrics").statusCode()).isEqualTo(401);
            var scrape = daemon.send(HttpRequest.newBuilder(daemon.uri("/metrics"))
                    .header("Authorization", "Bearer " + key).build());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
            assertThat(scrape.body()).contains("vllm:num_requests_waiting").contains("jvm_memory_used_bytes");
            for (String probe : new String[] {"/livez", "/readyz", "/health", "/.well-known/health"}) {
                assertThat(daemon.get(probe).statusCode()).as(probe).isEqualTo(200);
            }
        }
    }

    @Test
    void readiness_says_why_when_llama_cpp_cannot_run_and_metrics_can_be_turned_off() {
        Path empty = home.resolve("no-llama");
        empty.toFile().mkdirs();
        Config config = Config.forDataDir(home.resolve("data2")).toBuilder().llamaLib(empty).spareRunner(true)
                .metrics(false).build();
        try (TestDaemon daemon = TestDaemon.start(config)) {
            assertThat(daemon.get("/livez").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> daemon.get("/readyz").statusCode() == 503);
            assertThat(daemon.get("/readyz").body()).startsWith("llama.cpp cannot run: ").contains(empty.toString());
            var health = daemon.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("llama.cpp cannot run");
            assertThat(daemon.get("/.well-known/health").body()).as("the Pieces clients' check stays").isEqualTo("ok");
            var off = daemon.get("/metrics");
            assertThat(off.statusCode()).isEqualTo(404);
            assertThat(off.body()).contains("--metrics off");
        }
    }
}
