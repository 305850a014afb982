package io.modeld.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelStore;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into HTTP answers, each in the style of the API that was called
 * ({@link ErrorStyle}): what went wrong and what to do. A 500 means a bug in modeld and is logged with
 * its stack trace; a full disk under the store is 507, and a client that went away is not an error.
 */
public final class ErrorMapping {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    static void register(RoutesConfig routes) {
        routes.exception(ModeldException.class, (e, ctx) -> {
            ErrorStyle style = ErrorStyle.of(ctx);
            style.write(ctx, style.status(e.kind()), style.describe(e), e.kind());
        });
        routes.exception(HttpResponseException.class, (e, ctx) ->
                ErrorStyle.of(ctx).write(ctx, e.getStatus(), message(e), null));
        routes.exception(ModelStore.StoreException.class, (e, ctx) -> {
            if (e.diskFull()) {
                LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage());
                ErrorStyle.of(ctx).write(ctx, 507, "the disk under the data dir is full: " + e.getMessage()
                        + "; free some space and try again", ModeldException.Kind.INSUFFICIENT_STORAGE);
            } else {
                bug(e, ctx);
            }
        });
        routes.exception(Exception.class, (e, ctx) -> {
            if (clientLeft(e)) {
                LOG.debug("{} {}: the client left before the answer was written", ctx.method(), ctx.path());
                return;
            }
            bug(e, ctx);
        });
        routes.error(404, "*", ctx -> {
            if (ctx.result() == null) {
                ErrorStyle.of(ctx).write(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path()
                        + "; see /openapi.yaml", null);
            }
        });
    }

    private static void bug(Exception e, Context ctx) {
        LOG.error("bug: {} {} failed", ctx.method(), ctx.path(), e);
        ErrorStyle.of(ctx).write(ctx, 500, "internal error in modeld (" + e.getClass().getSimpleName()
                + "); it is logged with its stack trace, please report it", null);
    }

    /** Whether the failure is a write to a connection the client closed. */
    public static boolean clientLeft(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EofException || t instanceof java.nio.channels.ClosedChannelException
                    || t.getMessage() != null && (t.getMessage().contains("Broken pipe")
                    || t.getMessage().contains("Connection reset"))) {
                return true;
            }
        }
        return false;
    }

    private static String message(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> "body: larger than 1 MiB; model files are downloaded by URL, never uploaded";
            case 404 -> "no such endpoint; see /openapi.yaml";
            default -> e.getMessage();
        };
    }

    /**
     * Jetty's own refusals (a path that is not valid UTF-8, a malformed request line), which never
     * reach a route: plain text like every other error, not Jetty's HTML page.
     */
    static final class PlainErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            Object message = request.getAttribute(ERROR_MESSAGE);
            String text = status + " " + (message == null ? "bad request" : message)
                    + (status == 400 ? ": the request (its path, headers or encoding) is malformed" : "") + "\n";
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.write(true, BufferUtil.toBuffer(text.getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }
}
