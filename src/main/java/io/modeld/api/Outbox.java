package io.modeld.api;

import io.javalin.websocket.WsContext;
import io.modeld.Json;
import java.util.ArrayDeque;
import java.util.Deque;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The one way frames go out on a WebSocket: at most one frame in flight per socket; what arrives
 * meanwhile waits in a {@link Pending} that decides how much may wait (a newer progress frame replaces
 * an unsent one, changed model ids merge into one frame, log lines queue up to a limit). A client that
 * reads slowly, or never, costs what its Pending holds and never blocks the sender: sending is
 * asynchronous, and a socket that is gone drops what waits.
 */
public final class Outbox<T> {

    /** What waits for a socket while a frame is in flight. Called under the outbox's lock. */
    public interface Pending<T> {
        void add(T item);

        boolean isEmpty();

        /** The next frame's text; what it covered no longer waits. */
        String take();

        void clear();
    }

    private final Session session;
    private final Pending<T> pending;
    private boolean sending;

    public Outbox(Session session, Pending<T> pending) {
        this.session = session;
        this.pending = pending;
    }

    /** An outbox of JSON frames where a new frame replaces one not yet sent: for states, where only the latest matters. */
    public static Outbox<Object> latest(WsContext ctx) {
        return new Outbox<>(ctx.session, new Pending<>() {
            private String next;

            @Override
            public void add(Object frame) {
                next = json(frame);
            }

            @Override
            public boolean isEmpty() {
                return next == null;
            }

            @Override
            public String take() {
                String out = next;
                next = null;
                return out;
            }

            @Override
            public void clear() {
                next = null;
            }
        });
    }

    /** An outbox of JSON frames that all go out in order, {@code max} at most waiting (the oldest dropped beyond). */
    public static Outbox<Object> queue(WsContext ctx, int max) {
        return new Outbox<>(ctx.session, new Pending<>() {
            private final Deque<String> frames = new ArrayDeque<>();

            @Override
            public void add(Object frame) {
                frames.addLast(json(frame));
                while (frames.size() > max) {
                    frames.removeFirst();
                }
            }

            @Override
            public boolean isEmpty() {
                return frames.isEmpty();
            }

            @Override
            public String take() {
                return frames.pollFirst();
            }

            @Override
            public void clear() {
                frames.clear();
            }
        });
    }

    private static String json(Object frame) {
        try {
            return frame instanceof String s ? s : Json.MAPPER.writeValueAsString(frame);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Queues {@code item} and sends what waits when no frame is in flight. */
    public void offer(T item) {
        offerAll(java.util.List.of(item));
    }

    /** Queues {@code items} together (they may go out in one frame), then sends what waits. */
    public void offerAll(java.util.Collection<? extends T> items) {
        synchronized (this) {
            items.forEach(pending::add);
        }
        pump();
    }

    private void pump() {
        String next;
        synchronized (this) {
            if (sending || pending.isEmpty()) {
                return;
            }
            if (!session.isOpen()) {
                pending.clear();
                return;
            }
            next = pending.take();
            sending = true;
        }
        session.sendText(next, Callback.from(this::sent, failure -> {
            synchronized (this) {
                pending.clear();
                sending = false;
            }
        }));
    }

    private void sent() {
        synchronized (this) {
            sending = false;
        }
        pump();
    }
}
