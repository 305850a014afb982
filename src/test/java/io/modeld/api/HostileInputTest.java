package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.testing.TestDaemon;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input on every endpoint's path and body: malformed JSON, wrong types, odd unicode, traversal
 * ids. Every answer is a 4xx (or a 200 for a valid request), never a 500, and the daemon stays healthy.
 */
class HostileInputTest {

    private static Path dataDir;
    private static TestDaemon daemon;

    private static final String[] MODEL_PATHS = {"/model/%s", "/model/%s/download/cancel", "/model/%s/unload",
            "/models/%s/delete/cache", "/model/%s/load"};
    private static final String[] BODY_PATHS = {"/models/create", "/model/update", "/v1/completions",
            "/v1/chat/completions", "/models/tinyllama-1.1b-chat-v1.0-q4_k_m/delete/cache"};

    @BeforeContainer
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("modeld-hostile");
        daemon = TestDaemon.start(dataDir);
    }

    @AfterContainer
    static void stop() throws Exception {
        daemon.close();
        io.modeld.config.DataDir.deleteTree(dataDir);
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(1).ofMaxLength(300),
                Arbitraries.of("..", "../..", "..%2f..%2fetc%2fpasswd", "%00", "a/b", "\u202e", "ＡＢＣ", "💥", " ",
                        "CON", "x".repeat(5000), "00000000-0000-0000-0000-000000000000"));
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> junk = Arbitraries.strings().ofMaxLength(500);
        Arbitrary<String> wrongTypes = Arbitraries.of("name", "id", "model", "prompt", "messages", "source", "bytes",
                "maxTokens", "context", "type", "unique", "max_tokens", "stream", "cloud")
                .flatMap(field -> Arbitraries.of("1", "-1", "1e400", "true", "null", "[]", "{}", "\"\"",
                        "\"" + "\\u0000".repeat(3) + "\"", "[[[[[[[[]]]]]]]]", "\"\\ud800\"", "99999999999999999999")
                        .map(v -> "{\"" + field + "\": " + v + "}"));
        Arbitrary<String> deep = Arbitraries.integers().between(100, 3000).map(n -> "[".repeat(n) + "]".repeat(n));
        // Strings over each field's limit (16 KiB for a description, 256 characters for the others).
        Arbitrary<String> huge = Arbitraries.of("name", "description", "unique", "version", "quantization")
                .flatMap(field -> Arbitraries.integers().between(field.equals("description") ? 16_385 : 257, 900_000)
                        .map(n -> "{\"name\": \"huge\", \"" + field + "\": \"" + "x".repeat(n) + "\"}"));
        Arbitrary<String> oversized = Arbitraries.integers().between(1 << 20, (1 << 20) + 65_536)
                .map(n -> "{\"name\": \"" + "y".repeat(n) + "\"}");
        return Arbitraries.oneOf(junk, wrongTypes, deep, huge, oversized);
    }

    /**
     * Jetty answers a path it cannot decode with a 400 and closes the connection; the JDK client may
     * already have queued the next request on it and see no bytes. That request is sent once more.
     */
    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return daemon.send(request);
        } catch (java.io.UncheckedIOException closedUnderUs) {
            return daemon.send(request);
        }
    }

    private static void assertNoServerError(HttpResponse<String> r, String what) {
        assertThat(r.statusCode()).as(what + " -> " + r.body()).isLessThan(500);
    }

    @Property(tries = 150)
    void model_paths_never_fail_with_a_server_error(@ForAll("ids") String id) {
        String before = daemon.get("/models").body();
        String encoded = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
        for (String path : MODEL_PATHS) {
            String p = String.format(path, encoded);
            HttpRequest.Builder b = HttpRequest.newBuilder(daemon.uri(p));
            HttpResponse<String> r = send(path.equals("/model/%s") ? b.GET().build()
                    : b.POST(HttpRequest.BodyPublishers.noBody()).build());
            assertNoServerError(r, p);
        }
        assertThat(daemon.get("/models").body()).as("the models, unchanged by hostile ids").isEqualTo(before);
    }

    @Property(tries = 200)
    void bodies_never_fail_with_a_server_error(@ForAll("bodies") String body) {
        String before = daemon.get("/models").body();
        for (String path : BODY_PATHS) {
            HttpResponse<String> r;
            try {
                r = send(HttpRequest.newBuilder(daemon.uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            } catch (java.io.UncheckedIOException cutOff) {
                // Over 1 MiB the daemon answers 413 before reading the body and closes the connection;
                // a client still sending may see the close instead of the answer. Nothing else may.
                assertThat(body.length()).as(path + ": connection lost: " + cutOff).isGreaterThan(1 << 20);
                continue;
            }
            assertNoServerError(r, path + " " + abbreviate(body));
        }
        assertThat(daemon.get("/models").body()).as("the models, unchanged by hostile bodies").isEqualTo(before);
        assertThat(daemon.get("/.well-known/health").body()).isEqualTo("ok");
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "… (" + s.length() + " characters)" : s;
    }
}
