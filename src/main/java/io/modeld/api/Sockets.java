package io.modeld.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.ModeldException;
import java.util.function.Consumer;

/** What the WebSocket endpoints share besides their {@link Outbox}: a plain GET told to upgrade, ending a follow. */
public final class Sockets {

    private Sockets() {
    }

    /** A plain GET of a WebSocket endpoint is a 426 that says how to connect, once {@code check} passed. */
    public static void upgradeOnly(RoutesConfig routes, String path, Consumer<Context> check) {
        routes.get(path, ctx -> {
            check.accept(ctx);
            throw new ModeldException(ModeldException.Kind.UPGRADE_REQUIRED,
                    "this endpoint is a WebSocket: connect with ws://" + ctx.host() + ctx.path());
        });
    }

    /** Stops what a socket followed (the handle kept as its attribute). */
    public static void stop(Object following) {
        if (following instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // only removes a listener
            }
        }
    }
}
