package io.modeld.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import java.net.URI;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client (of a model's download progress, or any JSON stream) that keeps every frame. */
public final class ProgressFrames implements WebSocket.Listener, AutoCloseable {

    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;

    private ProgressFrames(int port, String path) throws Exception {
        socket = TestDaemon.client().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + path), this)
                .get(10, TimeUnit.SECONDS);
    }

    public static ProgressFrames open(TestDaemon daemon, String model) throws Exception {
        return open(daemon.port(), model);
    }

    public static ProgressFrames open(int port, String model) throws Exception {
        return new ProgressFrames(port, "/model/" + model + "/download/progress");
    }

    /** The frames of the daemon's WebSocket at {@code path}. */
    public static ProgressFrames of(TestDaemon daemon, String path) throws Exception {
        return new ProgressFrames(daemon.port(), path);
    }

    /** The frames of {@code /models/stream/identifiers}. */
    public static ProgressFrames identifiers(TestDaemon daemon) throws Exception {
        return new ProgressFrames(daemon.port(), "/models/stream/identifiers");
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(Json.MAPPER.readTree(partial.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    public List<JsonNode> frames() {
        return List.copyOf(frames);
    }

    public List<String> statuses() {
        return frames.stream().map(f -> f.get("status").asText()).toList();
    }

    public JsonNode last() {
        return frames.isEmpty() ? null : frames.get(frames.size() - 1);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
