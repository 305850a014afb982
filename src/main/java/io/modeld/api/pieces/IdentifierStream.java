package io.modeld.api.pieces;

import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.modeld.Json;
import io.modeld.api.ModelViews;
import io.modeld.api.Outbox;
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
    private final Set<Outbox<ModelChange>> clients = ConcurrentHashMap.newKeySet();

    IdentifierStream(ModelService models, ModelViews views) {
        this.models = models;
        this.views = views;
        models.subscribe(this::publish);
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            Outbox<ModelChange> c = new Outbox<>(ctx.session, new Changed(this::render));
            ctx.attribute("client", c);
            List<ModelChange> now = models.list().stream().map(r -> new ModelChange(r.id(), false)).toList();
            clients.add(c);
            c.offerAll(now);
        });
        ws.onClose(this::forget);
        ws.onError(this::forget);
    }

    private void forget(WsContext ctx) {
        Outbox<ModelChange> c = ctx.attribute("client");
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

    /** Changes waiting for one client: model id to whether it was deleted (the latest word), in the order they changed. */
    static final class Changed implements Outbox.Pending<ModelChange> {
        private final Function<Map<String, Boolean>, String> render;
        private final Map<String, Boolean> pending = new LinkedHashMap<>();

        Changed(Function<Map<String, Boolean>, String> render) {
            this.render = render;
        }

        @Override
        public void add(ModelChange change) {
            pending.remove(change.id());
            pending.put(change.id(), change.deleted());
        }

        @Override
        public boolean isEmpty() {
            return pending.isEmpty();
        }

        @Override
        public String take() {
            String frame = render.apply(pending);
            pending.clear();
            return frame;
        }

        @Override
        public void clear() {
            pending.clear();
        }
    }
}
