package io.modeld.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import io.modeld.Json;
import io.modeld.ModeldException;
import java.io.IOException;
import java.util.function.Consumer;

/** What the WebSocket endpoints share: a plain GET told to upgrade, sending JSON frames, ending a follow. */
final class Sockets {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Sockets.class);

    private Sockets() {
    }

    /** A plain GET of a WebSocket endpoint is a 426 that says how to connect, once {@code check} passed. */
    static void upgradeOnly(RoutesConfig routes, String path, Consumer<Context> check) {
        routes.get(path, ctx -> {
            check.accept(ctx);
            throw new ModeldException(ModeldException.Kind.UPGRADE_REQUIRED,
                    "this endpoint is a WebSocket: connect with ws://" + ctx.host() + ctx.path());
        });
    }

    /** Sends {@code frame} as JSON, one frame at a time per socket; a socket gone away is skipped. */
    static void send(WsContext ctx, Object frame) {
        try {
            String json = Json.MAPPER.writeValueAsString(frame);
            synchronized (ctx) {
                if (ctx.session.isOpen()) {
                    ctx.send(json);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("a socket went away: {}", e.getMessage());
        }
    }

    /** Stops what a socket followed (the handle kept as its attribute). */
    static void stop(Object following) {
        if (following instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // only removes a listener
            }
        }
    }
}
