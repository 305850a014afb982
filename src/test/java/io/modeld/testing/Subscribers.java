package io.modeld.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Many WebSocket subscribers of one model's download progress, kept cheap on the client side (a frame
 * is looked at, not parsed) so that a thousand of them load the daemon rather than the test.
 */
public final class Subscribers implements AutoCloseable {

    private static final List<String> TERMINAL = List.of("\"COMPLETED\"", "\"FAILED\"", "\"CANCELED\"");

    private final List<One> all = new ArrayList<>();

    /** One subscriber: how many frames it got, how many said IN-PROGRESS, and its terminal frame. */
    public static final class One implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private volatile int frames;
        private volatile int inProgress;
        private volatile int afterTerminal;
        private volatile String terminal;
        private volatile long terminalNanos;
        private WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                frames++;
                if (terminal != null) {
                    afterTerminal++;
                }
                if (frame.contains("\"IN-PROGRESS\"")) {
                    inProgress++;
                }
                for (String t : TERMINAL) {
                    if (terminal == null && frame.contains(t) && frames > 1) {
                        terminalNanos = System.nanoTime();
                        terminal = t.substring(1, t.length() - 1);
                    }
                }
            }
            ws.request(1);
            return null;
        }

        public int frames() {
            return frames;
        }

        public int inProgress() {
            return inProgress;
        }

        /** Frames that came after the terminal one: a stale progress frame would be one. */
        public int afterTerminal() {
            return afterTerminal;
        }

        /** The terminal status this subscriber saw after its first frame, or null. */
        public String terminal() {
            return terminal;
        }

        /** {@link System#nanoTime()} when the terminal frame arrived. */
        public long terminalNanos() {
            return terminalNanos;
        }
    }

    private Subscribers() {
    }

    /**
     * Opens {@code count} subscribers of {@code model}'s progress on the daemon at {@code port} and
     * returns once every one is connected (and has had its first frame, the state on connect).
     */
    public static Subscribers open(HttpClient client, int port, String model, int count) throws Exception {
        Subscribers s = new Subscribers();
        URI uri = URI.create("ws://127.0.0.1:" + port + "/model/" + model + "/download/progress");
        List<CompletableFuture<WebSocket>> connecting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            One one = new One();
            s.all.add(one);
            connecting.add(client.newWebSocketBuilder().buildAsync(uri, one).thenApply(ws -> one.socket = ws));
            if (connecting.size() % 100 == 0) {
                CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            }
        }
        CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (s.all.stream().anyMatch(o -> o.frames == 0) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return s;
    }

    public List<One> all() {
        return List.copyOf(all);
    }

    /** How many have had their terminal frame. */
    public long ended() {
        return all.stream().filter(o -> o.terminal != null).count();
    }

    @Override
    public void close() {
        for (One o : all) {
            if (o.socket != null) {
                o.socket.abort();
            }
        }
    }
}
