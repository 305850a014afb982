package io.modeld.testing;

import com.fasterxml.jackson.databind.JsonNode;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.modeld.Daemon;
import io.modeld.config.DataDir;
import java.nio.file.Files;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;
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

/**
 * A real daemon on a free loopback port with its own data dir, and a real HTTP client to talk to it.
 *
 * <p>Either started at once ({@link #start}) or, as javalin-testtools gives each test a real server,
 * once per test as a JUnit extension: {@code @RegisterExtension final TestDaemon daemon =
 * TestDaemon.perTest();} starts it before each test in a fresh data dir and stops it after. Its log is
 * kept in memory and printed only when the test fails.
 */
public final class TestDaemon implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final UnaryOperator<Config> configure;
    private Config config;
    private Daemon daemon;
    private ListAppender<ILoggingEvent> log;

    private TestDaemon(Config config) {
        this.configure = null;
        this.config = config;
        this.daemon = Daemon.start(config);
    }

    private TestDaemon(UnaryOperator<Config> configure) {
        this.configure = configure;
    }

    public static TestDaemon start(Path dataDir) {
        return new TestDaemon(Config.forDataDir(dataDir));
    }

    public static TestDaemon start(Config config) {
        return new TestDaemon(config);
    }

    /** A daemon started before each test of the class that registers it, in a fresh data dir. */
    public static TestDaemon perTest() {
        return perTest(c -> c);
    }

    /** The same, with its config adjusted (a memory budget, download limits). */
    public static TestDaemon perTest(UnaryOperator<Config> configure) {
        return new TestDaemon(configure);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        log = new ListAppender<>();
        log.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        log.start();
        root().addAppender(log);
        config = configure.apply(Config.forDataDir(Files.createTempDirectory("modeld-test-")));
        daemon = Daemon.start(config);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            if (daemon != null) {
                daemon.close();
                daemon = null;
            }
        } finally {
            root().detachAppender(log);
            if (context.getExecutionException().isPresent()) {
                System.err.println("---- the daemon's log during " + context.getDisplayName() + " ----");
                List.copyOf(log.list).forEach(e -> System.err.println(e.getLevel() + " " + e.getLoggerName() + " - "
                        + e.getFormattedMessage()));
            }
            DataDir.deleteTree(config.dataDir());
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** What the daemon logged so far in this test, a line each ({@code LEVEL logger - message}). */
    public String logs() {
        StringBuilder b = new StringBuilder();
        List.copyOf(log.list).forEach(e -> b.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" - ")
                .append(e.getFormattedMessage()).append('\n'));
        return b.toString();
    }

    /** The data dir the daemon serves. */
    public Path dataDir() {
        return config.dataDir();
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
