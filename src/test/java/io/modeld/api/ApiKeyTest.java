package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modeld.Json;
import io.modeld.config.Config;
import io.modeld.testing.TestDaemon;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;

/** A daemon with --api-key: who gets in, through every door, and how the others are told. */
class ApiKeyTest {

    static final String KEY = "s3cret-key-for-the-team-0123";

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().apiKey(KEY).build());

    private HttpResponse<String> get(String path, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(daemon.uri(path)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return daemon.send(b.build());
    }

    @Test
    void every_request_but_the_health_check_needs_the_key() {
        assertThat(get("/.well-known/health", null).statusCode()).isEqualTo(200);
        HttpResponse<String> none = get("/models", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        assertThat(none.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(none.body()).contains("Authorization: Bearer");
        HttpResponse<String> wrong = get("/models", "Bearer " + KEY + "x");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("wrong API key");
        assertThat(get("/models", "Bearer " + KEY.substring(0, KEY.length() - 1)).statusCode()).isEqualTo(401);
        assertThat(get("/models", "Basic " + KEY).statusCode()).isEqualTo(401);
        assertThat(get("/models", "Bearer " + KEY).statusCode()).isEqualTo(200);
        assertThat(get("/model/tinyllama-1.1b-chat-v1.0-q4_k_m", "bearer " + KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void openai_clients_get_their_error_shape() throws Exception {
        HttpResponse<String> r = get("/v1/models", null);
        assertThat(r.statusCode()).isEqualTo(401);
        var error = Json.MAPPER.readTree(r.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("authentication_error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(get("/v1/models", "Bearer " + KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void anthropic_clients_send_the_key_as_x_api_key_and_get_their_error_shape() throws Exception {
        String body = "{\"model\": \"tinyllama-1.1b-chat-v1.0-q4_k_m\", \"max_tokens\": 4, \"messages\": []}";
        HttpResponse<String> none = daemon.send(HttpRequest.newBuilder(daemon.uri("/v1/messages?beta=true"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build());
        assertThat(none.statusCode()).isEqualTo(401);
        var error = Json.MAPPER.readTree(none.body());
        assertThat(error.get("type").asText()).isEqualTo("error");
        assertThat(error.get("error").get("type").asText()).isEqualTo("authentication_error");
        HttpResponse<String> wrong = daemon.send(HttpRequest.newBuilder(daemon.uri("/v1/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("x-api-key", KEY + "x").build());
        assertThat(wrong.statusCode()).isEqualTo(401);
        // with the key, the request is read: its empty messages are the next thing refused
        HttpResponse<String> keyed = daemon.send(HttpRequest.newBuilder(daemon.uri("/v1/messages"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("x-api-key", KEY).build());
        assertThat(keyed.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(keyed.body()).get("error").get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(Json.MAPPER.readTree(keyed.body()).get("error").get("message").asText()).contains("messages");
        HttpResponse<String> listed = daemon.send(HttpRequest.newBuilder(daemon.uri("/v1/models")).header("x-api-key", KEY)
                .GET().build());
        assertThat(listed.statusCode()).isEqualTo(200);
    }

    @Test
    void websockets_need_the_key_as_a_header_or_a_query_parameter() throws Exception {
        URI ws = URI.create("ws://127.0.0.1:" + daemon.port() + "/models/stream/identifiers");
        WebSocket.Listener listener = new WebSocket.Listener() { };
        assertThatThrownBy(() -> TestDaemon.client().newWebSocketBuilder().buildAsync(ws, listener).join())
                .isInstanceOf(CompletionException.class).hasStackTraceContaining("401");
        TestDaemon.client().newWebSocketBuilder().header("Authorization", "Bearer " + KEY).buildAsync(ws, listener)
                .get(10, TimeUnit.SECONDS).abort();
        TestDaemon.client().newWebSocketBuilder().buildAsync(URI.create(ws + "?api_key=" + KEY), listener)
                .get(10, TimeUnit.SECONDS).abort();
        assertThatThrownBy(() -> TestDaemon.client().newWebSocketBuilder()
                .buildAsync(URI.create(ws + "?api_key=nope"), listener).join()).hasStackTraceContaining("401");
    }

    @Test
    void the_dashboard_page_loads_without_the_key_and_holds_no_data() {
        HttpResponse<String> page = daemon.send(HttpRequest.newBuilder(daemon.uri("/")).header("Accept", "text/html")
                .GET().build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>modeld</title>").doesNotContain("tinyllama");
        assertThat(get("/web/js/app.js", null).statusCode()).isEqualTo(200);
        assertThat(get("/memory", null).statusCode()).isEqualTo(401);
    }

    @Test
    void a_host_off_loopback_needs_a_key_and_then_accepts_its_own_address_as_host(@TempDir Path dir) throws Exception {
        String lan = lanAddress();
        org.junit.jupiter.api.Assumptions.assumeTrue(lan != null, "this machine has no non-loopback IPv4 address");
        Config open = Config.forDataDir(dir);
        assertThatThrownBy(() -> open.toBuilder().host(lan).build())
                .hasMessageContaining("--api-key").hasMessageContaining(lan);
        try (TestDaemon shared = TestDaemon.start(open.toBuilder().host(lan).apiKey(KEY).build())) {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://" + lan + ":" + shared.port() + "/models"))
                    .header("Authorization", "Bearer " + KEY);
            assertThat(shared.send(r.build()).statusCode()).isEqualTo(200);
            assertThat(shared.send(r.header("Host", "evil.example").build()).statusCode()).isEqualTo(403);
        }
    }

    private static String lanAddress() throws Exception {
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            for (InetAddress a : ni.inetAddresses().toList()) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        return null;
    }
}
