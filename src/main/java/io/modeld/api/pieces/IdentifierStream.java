package io.modeld.api.pieces;

import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.modeld.api.Outbox;
import io.modeld.api.Sockets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A WebSocket of StreamedIdentifiers ({@code /models/stream/identifiers}, {@code
 * /conversations/stream/identifiers}): on connect, one frame naming everything there is (so a client can
 * sync; an empty one when there is nothing, which the Pieces SDKs' client waits for), then a frame for each thing created, changed or deleted.
 *
 * <p>Each client has at most one frame in flight. Changes that arrive while it is being sent wait as a
 * set of ids (the latest word on each: deleted or not) and go out together in the next frame, so a
 * client that reads slowly, or never, holds at most one entry per thing, never an endless queue.
 */
final class IdentifierStream {

    /** Something was created or changed, or deleted. */
    record Change(String id, boolean deleted) {
    }

    /** Not a change: asks for a frame even when there is nothing in it (the first, which clients wait for). */
    private static final Change FIRST = new Change(null, false);

    /** What a stream follows: tells {@code now} what there is, then {@code changes} every change, until closed. */
    interface Source {
        AutoCloseable follow(Consumer<Collection<Change>> now, Consumer<Change> changes);
    }

    private final Source source;
    private final Function<Map<String, Boolean>, String> render;

    /** {@code render} writes a frame of ids, each with whether it was deleted. */
    IdentifierStream(Source source, Function<Map<String, Boolean>, String> render) {
        this.source = source;
        this.render = render;
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            ctx.session.setIdleTimeout(java.time.Duration.ZERO);
            Outbox<Change> c = new Outbox<>(ctx.session, new Changed(render));
            ctx.attribute("following", source.follow(now -> {
                List<Change> first = new ArrayList<>(now);
                first.add(FIRST);
                c.offerAll(first);
            }, c::offer));
        });
        ws.onClose(IdentifierStream::forget);
        ws.onError(IdentifierStream::forget);
    }

    private static void forget(WsContext ctx) {
        Sockets.stop(ctx.attribute("following"));
    }

    /** Changes waiting for one client: id to whether it was deleted (the latest word), in the order they changed. */
    static final class Changed implements Outbox.Pending<Change> {
        private final Function<Map<String, Boolean>, String> render;
        private final Map<String, Boolean> pending = new LinkedHashMap<>();
        private boolean due;

        Changed(Function<Map<String, Boolean>, String> render) {
            this.render = render;
        }

        @Override
        public void add(Change change) {
            if (change.id() == null) {
                due = true;
                return;
            }
            pending.remove(change.id());
            pending.put(change.id(), change.deleted());
        }

        @Override
        public boolean isEmpty() {
            return pending.isEmpty() && !due;
        }

        @Override
        public String take() {
            String frame = render.apply(pending);
            pending.clear();
            due = false;
            return frame;
        }

        @Override
        public void clear() {
            pending.clear();
            due = false;
        }
    }
}
