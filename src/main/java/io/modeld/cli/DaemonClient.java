package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.config.Config;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The CLI's way to the daemon: the same HTTP API the SDKs use. It finds the daemon at {@code --url},
 * else {@code MODELD_URL}, else port 39300, else port 1000 on localhost, and turns every refusal into
 * a one-line {@link CliException} with the daemon's own words.
 */
final class DaemonClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private final URI base;
    private final String authorization;

    private DaemonClient(URI base, String apiKey) {
        this.base = base;
        this.authorization = apiKey == null || apiKey.isBlank() ? null : "Bearer " + apiKey.trim();
    }

    /** The first daemon that answers its health check, or UNAVAILABLE naming what was tried. */
    static DaemonClient find(String url, String apiKey) {
        List<String> candidates = new ArrayList<>();
        if (url != null) {
            candidates.add(url);
        } else {
            String env = System.getenv("MODELD_URL");
            if (env != null && !env.isBlank()) {
                candidates.add(env);
            }
            candidates.add("http://127.0.0.1:" + Config.DEFAULT_PORT);
            candidates.add("http://127.0.0.1:" + Config.SEED_PORT);
        }
        for (String c : candidates) {
            URI uri = URI.create(c.replaceAll("/+$", ""));
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri.resolve("/.well-known/health"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return new DaemonClient(uri, apiKey);
                }
            } catch (IOException | IllegalArgumentException e) {
                // Try the next one.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new CliException(ExitCodes.UNAVAILABLE, "no modeld answers at " + String.join(", ", candidates)
                + "; start one with ./modeld serve, or say where with --url or MODELD_URL");
    }

    URI base() {
        return base;
    }

    JsonNode get(String path) {
        return send(request(path).GET().build());
    }

    JsonNode post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    JsonNode put(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    JsonNode delete(String path) {
        return send(request(path).DELETE().build());
    }

    /** A request to {@code path} that carries the API key, when there is one. */
    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    /** Sends a request whose answer streams (server-sent events), returning its lines as they come. */
    java.util.stream.Stream<String> stream(String path, String body) {
        HttpRequest req = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(req, HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                throw refusal(r.statusCode(), String.join("\n", r.body().toList()));
            }
            return r.body();
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "lost the daemon at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILURE, "interrupted");
        }
    }

    /** Opens the model's download progress WebSocket. */
    CompletableFuture<WebSocket> progress(String id, WebSocket.Listener listener) {
        return socket("/model/" + id + "/download/progress", listener);
    }

    /** Opens one of the daemon's WebSockets. */
    CompletableFuture<WebSocket> socket(String path, WebSocket.Listener listener) {
        URI ws = URI.create(base.toString().replaceFirst("^http", "ws") + path);
        WebSocket.Builder b = HTTP.newWebSocketBuilder();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.buildAsync(ws, listener);
    }

    /**
     * The id of the model named by {@code name}: an id, a unique name, or a prefix of exactly one
     * unique name.
     */
    String resolve(String name) {
        JsonNode models = get("/models").get("iterable");
        List<String> matches = new ArrayList<>();
        for (JsonNode m : models) {
            String unique = m.path("unique").asText("");
            if (m.get("id").asText().equals(name) || unique.equals(name)) {
                return m.get("id").asText();
            }
            if (!unique.isEmpty() && unique.startsWith(name)) {
                matches.add(unique);
            }
        }
        if (matches.size() == 1) {
            return resolve(matches.get(0));
        }
        if (matches.isEmpty()) {
            throw new CliException(ExitCodes.NOT_FOUND, "no model '" + name + "'; see modeld ls");
        }
        throw new CliException(ExitCodes.NOT_FOUND, "'" + name + "' could be " + String.join(", ", matches));
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 204) {
                return Json.MAPPER.createObjectNode();
            }
            if (r.statusCode() / 100 != 2) {
                throw refusal(r.statusCode(), r.body());
            }
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "lost the daemon at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILURE, "interrupted");
        }
    }

    private static CliException refusal(int status, String body) {
        String message = body == null ? "" : body.strip();
        int code = status == 410 || status == 404 ? ExitCodes.NOT_FOUND : status >= 500 && status != 507 ? ExitCodes.FAILURE
                : ExitCodes.REFUSED;
        return new CliException(code, message.isEmpty() ? "the daemon answered " + status : message);
    }
}
