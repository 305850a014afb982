package io.modeld.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on a free loopback port whose every answer the test writes (a registry that
 * misbehaves, a token service, a third host): it records what it was asked, with the Authorization.
 */
public final class ScriptedServer implements AutoCloseable {

    /** A request as the server saw it. */
    public record Seen(String method, String path, String query, String authorization) {
    }

    /** Answers one request. */
    public interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private ScriptedServer(Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/", ex -> {
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(),
                    ex.getRequestHeaders().getFirst("Authorization")));
            try (ex) {
                ex.getRequestBody().readAllBytes();
                handler.handle(ex);
            } catch (IOException | RuntimeException e) {
                // the client went away, or the test's handler gave up: nothing more to answer
            }
        });
        server.start();
    }

    public static ScriptedServer start(Handler handler) throws IOException {
        return new ScriptedServer(handler);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String host() {
        return "127.0.0.1:" + port();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Answers with {@code status}, {@code headers} and {@code body} (null: none). */
    public static void answer(HttpExchange ex, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        boolean none = body == null || ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, none ? -1 : body.length);
        if (!none) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
