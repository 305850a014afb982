package io.modeld.api;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.json.JavalinJackson;
import io.modeld.Json;
import io.modeld.catalog.ModelActivity;
import io.modeld.catalog.ModelService;
import io.modeld.config.Config;
import io.modeld.copilot.Conversations;
import io.modeld.responses.StoredResponses;
import io.modeld.copilot.CopilotModel;
import io.modeld.download.Downloads;
import io.modeld.download.Pushes;
import io.modeld.config.LogBuffer;
import io.modeld.api.anthropic.AnthropicRoutes;
import io.modeld.api.ollama.OllamaRoutes;
import io.modeld.api.openai.OpenAiRoutes;
import io.modeld.api.openai.ResponsesRoutes;
import io.modeld.api.openai.SlotRoutes;
import io.modeld.api.pieces.PiecesRoutes;
import io.modeld.api.workbench.WorkbenchRoutes;
import io.modeld.download.Pulls;
import io.modeld.inference.Inference;
import io.modeld.runtime.Scheduler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP and WebSocket server: Javalin on Jetty, with the guard in front of every route. */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final long STOP_TIMEOUT_MS = 10_000;

    private final Javalin app;
    private final RequestGuard guard;
    private final List<Integer> ports = new ArrayList<>();
    private Integer ollama;
    private final WorkbenchRoutes workbench;
    private final PiecesRoutes pieces;

    public ApiServer(Config config, ModelService models, Downloads downloads, Pushes pushes, Inference inference,
                     Scheduler scheduler, ModelActivity activity, LogBuffer logs, int migration, String version,
                     Conversations conversations, CopilotModel copilotModel, StoredResponses responses,
                     io.modeld.metrics.Metrics metrics, io.modeld.remote.RemoteModels remotes) {
        ModelViews views = new ModelViews(migration, activity);
        Pulls pulls = new Pulls(models, downloads);
        this.workbench = new WorkbenchRoutes(models, downloads, pulls, scheduler, views, logs, config.dataDir(),
                copilotModel);
        this.pieces = new PiecesRoutes(models, downloads, pushes, inference, scheduler, views, conversations, copilotModel,
                remotes);
        this.guard = new RequestGuard(config.host(), config.allowedOrigins(), config.apiKey());
        String openapi = resource("/openapi.yaml").replace("${version}", version);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.http.maxRequestSize = Bodies.MEDIA_MAX;   // each route's own bound is RequestGuard's
            // Loopback needs no compression, and skipping it saves work on every response.
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.jetty.modifyServer(server -> {
                server.setStopTimeout(STOP_TIMEOUT_MS);
                server.setErrorHandler(new ErrorMapping.PlainErrors());
            });
            cfg.routes.before(guard::check);
            cfg.routes.wsBeforeUpgrade(guard::checkUpgrade);
            cfg.routes.options("/*", guard::preflight);
            ErrorMapping.register(cfg.routes);
            cfg.routes.get("/.well-known/health", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok"));
            new Probes(inference, scheduler, metrics, remotes).register(cfg.routes);
            // The Pieces SDKs' client finds the daemon with a HEAD of the health check (0.1 s to answer).
            cfg.routes.head("/.well-known/health", ctx -> ctx.contentType("text/plain; charset=utf-8"));
            if (config.mediaUrls()) {
                cfg.appData(MediaUrls.KEY, new MediaUrls());
            }
            cfg.routes.get("/web/<file>", Dashboard::file);
            String dashboard = resource("/web/index.html");
            cfg.routes.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml; charset=utf-8").result(openapi));
            // One address, two answers: a browser (which asks for HTML) gets the dashboard, any other client
            // Ollama's greeting.
            cfg.routes.get("/", ctx -> {
                if (Dashboard.wantsPage(ctx)) {
                    ctx.contentType("text/html; charset=utf-8").result(dashboard);
                } else {
                    ctx.contentType("text/plain; charset=utf-8").result("Ollama is running");
                }
            });
            cfg.routes.head("/", ctx -> ctx.contentType("text/plain; charset=utf-8"));
            pieces.register(cfg.routes);
            new OpenAiRoutes(models, inference).register(cfg.routes);
            new SlotRoutes(inference, new io.modeld.config.DataDir(config.dataDir()).slots()).register(cfg.routes);
            new AnthropicRoutes(inference).register(cfg.routes);
            new ResponsesRoutes(inference, responses).register(cfg.routes);
            new OllamaRoutes(models, downloads, pulls, pushes, inference, scheduler, remotes).register(cfg.routes);
            new RemoteRoutes(remotes).register(cfg.routes);
            workbench.register(cfg.routes);
        });
    }

    /**
     * Binds the configured port, or 39300 and then 1000 when no port was given, and Ollama's port when
     * one is set. Port 1000 is a bonus: most systems reserve it for root, so failing to bind it is
     * logged, never fatal; so is Ollama's port when an Ollama already serves there.
     */
    public void start(String host, Integer port, int ollamaPort) {
        app.start(host, port == null ? Config.DEFAULT_PORT : port);
        ports.add(app.port());
        if (port == null) {
            extraPort(host, Config.SEED_PORT, "it needs root or CAP_NET_BIND_SERVICE on most systems")
                    .ifPresent(ports::add);
        }
        if (ollamaPort > 0) {
            ollama = extraPort(host, ollamaPort, "another program (an Ollama?) serves there; Ollama's clients can "
                    + "still use port " + app.port()).orElse(null);
        }
        ports.forEach(guard::servedPort);
        if (ollama != null) {
            guard.servedPort(ollama);
        }
    }

    private java.util.Optional<Integer> extraPort(String host, int port, String ifBusy) {
        var server = app.jettyServer().server();
        // the main port's HTTP settings (no Server header naming Jetty's version, its header sizes), not Jetty's defaults
        var http = server.getConnectors()[0].getConnectionFactory(org.eclipse.jetty.server.HttpConnectionFactory.class);
        ServerConnector extra = http == null ? new ServerConnector(server)
                : new ServerConnector(server, new org.eclipse.jetty.server.HttpConnectionFactory(http.getHttpConfiguration()));
        extra.setHost(host);
        extra.setPort(port);
        server.addConnector(extra);
        try {
            extra.start();
            return java.util.Optional.of(extra.getLocalPort());
        } catch (Exception e) {
            server.removeConnector(extra);
            LOG.info("port {} not served ({}); {}", port, e.getMessage(), ifBusy);
            return java.util.Optional.empty();
        }
    }

    /** The port that serves Ollama's clients, or null when none is bound. */
    public Integer ollamaPort() {
        return ollama;
    }

    /** The ports being served, the main one first. */
    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** Stops accepting connections and lets requests in flight finish (up to 10 s). */
    @Override
    public void close() {
        try {
            app.stop();
        } catch (io.javalin.util.JavalinException e) {
            if (!(e.getCause() instanceof java.util.concurrent.TimeoutException)) {
                throw e;
            }
            // Jetty has stopped; what was still running after the grace period was cut off
            org.slf4j.LoggerFactory.getLogger(ApiServer.class).warn("requests still in flight after {} ms were cut off",
                    STOP_TIMEOUT_MS);
        } finally {
            workbench.close();
            pieces.close();
        }
    }

    private static String resource(String name) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
