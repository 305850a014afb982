package io.modeld.api;

import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.modeld.Json;
import io.modeld.api.schema.StreamedIdentifiers;
import io.modeld.catalog.ModelChange;
import io.modeld.catalog.ModelService;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.websocket.api.Callback;

/**
 * The WebSocket {@code /models/stream/identifiers}: on connect, one frame naming every model (so a
 * client can sync), then one StreamedIdentifiers frame per created, updated or deleted model. Frames
 * are sent asynchronously, so a slow client never holds up a change.
 */
final class IdentifierStream {

    private final ModelService models;
    private final ModelViews views;
    private final Set<WsContext> clients = ConcurrentHashMap.newKeySet();

    IdentifierStream(ModelService models, ModelViews views) {
        this.models = models;
        this.views = views;
        models.subscribe(this::publish);
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            clients.add(ctx);
            List<StreamedIdentifiers.Identifier> all = models.list().stream()
                    .map(r -> new StreamedIdentifiers.Identifier(views.reference(r.id()), null)).toList();
            send(ctx, new StreamedIdentifiers(views.schema(), all));
        });
        ws.onClose(ctx -> clients.remove(ctx));
        ws.onError(ctx -> clients.remove(ctx));
    }

    private void publish(ModelChange change) {
        StreamedIdentifiers frame = new StreamedIdentifiers(views.schema(), List.of(
                new StreamedIdentifiers.Identifier(views.reference(change.id()), change.deleted() ? true : null)));
        clients.forEach(ctx -> send(ctx, frame));
    }

    private void send(WsContext ctx, StreamedIdentifiers frame) {
        if (ctx.session.isOpen()) {
            try {
                ctx.session.sendText(Json.MAPPER.writeValueAsString(frame), Callback.NOOP);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
