package io.modeld.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client of the test's own that keeps every text frame, in order, with when it came
 * ({@link System#nanoTime()}), and tells whether the server closed the socket.
 */
public final class SocketFrames implements WebSocket.Listener, AutoCloseable {

    /** A frame and the time it came. */
    public record Frame(String text, long nanos) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean closedByServer;
    private WebSocket socket;

    /** Connects to {@code path} on the daemon's port. */
    public static SocketFrames open(int port, String path) {
        SocketFrames f = new SocketFrames();
        f.socket = TestDaemon.client().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + path), f).join();
        return f;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(new Frame(partial.toString(), System.nanoTime()));
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
        closedByServer = true;
        return null;
    }

    /** Sends a text frame. */
    public void send(String text) {
        socket.sendText(text, true).join();
    }

    /** The next frame; fails after {@code seconds} without one. */
    public Frame next(int seconds) {
        try {
            Frame f = frames.poll(seconds, TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no frame within " + seconds + " s");
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next frame if one comes within {@code millis}, else null. */
    public Frame poll(long millis) {
        try {
            return frames.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean closedByServer() {
        return closedByServer;
    }

    @Override
    public void close() {
        socket.abort();
    }
}
