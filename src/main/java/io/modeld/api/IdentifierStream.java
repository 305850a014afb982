package io.modeld.api;

import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.modeld.Json;
import io.modeld.api.schema.StreamedIdentifiers;
import io.modeld.catalog.ModelChange;
import io.modeld.catalog.ModelService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The WebSocket {@code /models/stream/identifiers}: on connect, one frame naming every model (so a
 * client can sync), then a StreamedIdentifiers frame for each created, updated or deleted model.
 *
 * <p>Each client has at most one frame in flight. Changes that arrive while it is being sent wait as a
 * set of model ids (the latest word on each: deleted or not) and go out together in the next frame, so
 * a client that reads slowly, or never, holds at most one entry per model, never an endless queue.
 */
final class IdentifierStream {

    private final ModelService models;
    private final ModelViews views;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();

    IdentifierStream(ModelService models, ModelViews views) {
        this.models = models;
        this.views = views;
        models.subscribe(this::publish);
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            Client c = new Client(ctx.session, this::render);
            ctx.attribute("client", c);
            synchronized (c) {
                clients.add(c);
                models.list().forEach(r -> c.pending.put(r.id(), false));
            }
            c.pump();
        });
        ws.onClose(this::forget);
        ws.onError(this::forget);
    }

    private void forget(WsContext ctx) {
        Client c = ctx.attribute("client");
        if (c != null) {
            clients.remove(c);
        }
    }

    private void publish(ModelChange change) {
        clients.forEach(c -> c.offer(change));
    }

    private String render(Map<String, Boolean> changed) {
        List<StreamedIdentifiers.Identifier> items = new ArrayList<>();
        changed.forEach((id, deleted) -> items.add(
                new StreamedIdentifiers.Identifier(views.reference(id), deleted ? true : null)));
        try {
            return Json.MAPPER.writeValueAsString(new StreamedIdentifiers(views.schema(), items));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One connected client: what waits for it, and whether a frame to it is in flight. */
    static final class Client {
        private final Session session;
        private final Function<Map<String, Boolean>, String> render;
        /** Model id to whether it was deleted, in the order they changed. */
        private final Map<String, Boolean> pending = new LinkedHashMap<>();
        private boolean sending;

        Client(Session session, Function<Map<String, Boolean>, String> render) {
            this.session = session;
            this.render = render;
        }

        void offer(ModelChange change) {
            synchronized (this) {
                pending.remove(change.id());
                pending.put(change.id(), change.deleted());
            }
            pump();
        }

        void pump() {
            Map<String, Boolean> changed;
            synchronized (this) {
                if (sending || pending.isEmpty()) {
                    return;
                }
                if (!session.isOpen()) {
                    pending.clear();
                    return;
                }
                changed = new LinkedHashMap<>(pending);
                pending.clear();
                sending = true;
            }
            session.sendText(render.apply(changed), Callback.from(this::sent, failure -> {
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
}
