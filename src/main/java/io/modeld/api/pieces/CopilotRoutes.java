package io.modeld.api.pieces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.Bodies;
import io.modeld.api.Fields;
import io.modeld.api.Outbox;
import io.modeld.api.Sockets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the Pieces SDKs' client asks before its first question, answered for a machine with no account:
 * {@code GET /.well-known/version} (the Pieces OS API level, {@value #PIECES_OS_VERSION}, as text; modeld's own
 * version is in {@code /openapi.yaml} and {@code modeld --version}), {@code POST /connect} (the application echoed back, with an id of its own, in a Context), {@code GET /user}
 * (a local user: modeld is not a cloud and keeps no accounts), the WebSocket {@code /.well-known/stream/health}
 * ("ok" now and every {@value #HEALTH_SECONDS} s; the client rescans ports when it closes, so it never
 * does), {@code /user/stream} (the user, once), and the streams of things modeld does not keep (assets,
 * anchors, ranges: one empty StreamedIdentifiers, which the client waits for; the vision status: nothing).
 * None of these sockets is closed for being idle.
 */
final class CopilotRoutes implements AutoCloseable {

    /** The Pieces OS API level modeld answers as: the Pieces CLI accepts 12.x, at least 12.0.0. */
    static final String PIECES_OS_VERSION = "12.0.0";
    static final long HEALTH_SECONDS = 10;
    private static final String OS_ID = UUID.nameUUIDFromBytes("modeld".getBytes(StandardCharsets.UTF_8)).toString();

    private final Set<Outbox<Object>> health = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pieces-health");
        t.setDaemon(true);
        return t;
    });

    CopilotRoutes() {
        ticks.scheduleAtFixedRate(() -> health.forEach(h -> h.offer("ok")), HEALTH_SECONDS, HEALTH_SECONDS,
                TimeUnit.SECONDS);
    }

    void register(RoutesConfig routes) {
        routes.get("/.well-known/version", ctx -> ctx.contentType("text/plain; charset=utf-8").result(PIECES_OS_VERSION));
        routes.post("/connect", ctx -> ctx.json(context(Bodies.json(ctx))));
        routes.get("/user", ctx -> {
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.set("user", user());
            ctx.json(out);
        });
        routes.ws("/.well-known/stream/health", ws -> {
            ws.onConnect(ctx -> {
                Outbox<Object> out = open(ctx);
                health.add(out);
                ctx.attribute("health", out);
                out.offer("ok");
            });
            ws.onClose(ctx -> health.remove(ctx.<Outbox<Object>>attribute("health")));
            ws.onError(ctx -> health.remove(ctx.<Outbox<Object>>attribute("health")));
        });
        routes.ws("/user/stream", ws -> ws.onConnect(ctx -> open(ctx).offer(user())));
        for (String kept : List.of("assets", "anchors", "ranges")) {
            routes.ws("/" + kept + "/stream/identifiers", ws -> ws.onConnect(ctx -> open(ctx).offer("{\"iterable\":[]}")));
        }
        routes.ws("/workstream_pattern_engine/processors/vision/status/stream", ws -> ws.onConnect(CopilotRoutes::open));
        for (String path : List.of("/.well-known/stream/health", "/user/stream", "/assets/stream/identifiers",
                "/anchors/stream/identifiers", "/ranges/stream/identifiers",
                "/workstream_pattern_engine/processors/vision/status/stream")) {
            Sockets.upgradeOnly(routes, path, ctx -> { });
        }
    }

    private static Outbox<Object> open(WsContext ctx) {
        ctx.session.setIdleTimeout(Duration.ZERO);
        return Outbox.queue(ctx, 16);
    }

    /** The Context of a connected application: the SeededTrackedApplication given, with its id, and modeld as the OS. */
    private static ObjectNode context(JsonNode body) {
        JsonNode app = body.path("application");
        if (!app.isObject()) {
            throw ModeldException.invalid("application: required, {\"name\", \"platform\", \"version\"} of the "
                    + "application connecting");
        }
        String name = Fields.requiredText(app, "name", "the application's name, such as OPEN_SOURCE");
        String platform = Fields.requiredText(app, "platform", "LINUX, MACOS, WINDOWS or WEB");
        String version = Fields.requiredText(app, "version", "the application's version");
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.putObject("application")
                .put("id", UUID.nameUUIDFromBytes((name + "\n" + platform + "\n" + version)
                        .getBytes(StandardCharsets.UTF_8)).toString())
                .put("name", name).put("version", version).put("platform", platform).put("onboarded", true)
                .put("privacy", "OPEN").put("capabilities", "LOCAL");
        out.putObject("health").putObject("os").put("id", OS_ID).put("version", PIECES_OS_VERSION);
        out.put("os", OS_ID);
        out.set("user", user());
        return out;
    }

    /** The local user: one per machine, no account, no e-mail. */
    private static ObjectNode user() {
        ObjectNode u = Json.MAPPER.createObjectNode().put("id", "local").put("name", System.getProperty("user.name"))
                .put("username", System.getProperty("user.name"));
        ObjectNode aesthetics = u.putObject("aesthetics");
        aesthetics.putObject("font").put("size", 12);
        aesthetics.putObject("theme").put("dark", false);
        return u;
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}
