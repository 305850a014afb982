package io.modeld.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.modeld.ModeldException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into HTTP answers: a plain-text body that says what went wrong and
 * what to do. A 500 means a bug in modeld and is logged with its stack trace.
 */
final class ErrorMapping {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    static void register(RoutesConfig routes) {
        routes.exception(ModeldException.class, (e, ctx) -> text(ctx, e.kind().status, e.getMessage()));
        routes.exception(HttpResponseException.class, (e, ctx) -> text(ctx, e.getStatus(), message(e)));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("bug: {} {} failed", ctx.method(), ctx.path(), e);
            text(ctx, 500, "internal error in modeld (" + e.getClass().getSimpleName()
                    + "); it is logged with its stack trace, please report it");
        });
        routes.error(404, "*", ctx -> {
            if (ctx.result() == null) {
                text(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path() + "; see /openapi.yaml");
            }
        });
    }

    private static String message(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> "body: larger than 1 MiB; model files are downloaded by URL, never uploaded";
            case 404 -> "no such endpoint; see /openapi.yaml";
            default -> e.getMessage();
        };
    }

    private static void text(Context ctx, int status, String message) {
        ctx.status(status).contentType("text/plain; charset=utf-8").result(message + "\n");
    }
}
