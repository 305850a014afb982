package io.modeld.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Daemon;
import io.modeld.Json;
import io.modeld.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** A real daemon on a free loopback port with its own data dir, and a real HTTP client to talk to it. */
public final class TestDaemon implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Config config;
    private Daemon daemon;

    private TestDaemon(Config config) {
        this.config = config;
        this.daemon = Daemon.start(config);
    }

    public static TestDaemon start(Path dataDir) {
        return new TestDaemon(Config.forDataDir(dataDir));
    }

    public static TestDaemon start(Config config) {
        return new TestDaemon(config);
    }

    /** Stops the daemon and starts a new one on the same data dir, as a user restarting it would. */
    public void restart() {
        daemon.close();
        daemon = Daemon.start(config);
    }

    public int port() {
        return daemon.port();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    public HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    public HttpResponse<String> post(String path, JsonNode body) {
        return post(path, body.toString());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpClient client() {
        return CLIENT;
    }

    /** The body of a 200 answer as JSON; fails with the status and body otherwise. */
    public static JsonNode ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("expected 200 but got " + response.statusCode() + ": " + response.body());
        }
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        daemon.close();
    }
}
