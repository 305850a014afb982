package io.modeld.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.inference.Inference;
import io.modeld.metrics.Metrics;
import io.modeld.runtime.LoadedModel;
import io.modeld.runtime.Scheduler;

/**
 * What a deployment asks of the daemon. {@code GET /livez}: 200 while it serves (Kubernetes' liveness).
 * {@code GET /readyz} (and {@code /health}, in llama-server's shape): 503 with the reason while llama.cpp cannot run
 * (the last runner failed to start; a spare runner's start checks it at boot) or, with {@code ?model=}, while that
 * model is not loaded (a remote model: while its server does not answer); 200 otherwise. {@code /.well-known/health} stays as the Pieces clients use it: {@code ok}.
 * {@code GET /metrics}: Prometheus' text format ({@link Metrics}), behind the API key like every route but the health
 * checks; a 404 saying so when the daemon runs with {@code --metrics off}. The request counter by door is fed here.
 */
final class Probes {

    private final Inference inference;
    private final Scheduler scheduler;
    private final Metrics metrics;

    private final io.modeld.remote.RemoteModels remotes;

    Probes(Inference inference, Scheduler scheduler, Metrics metrics, io.modeld.remote.RemoteModels remotes) {
        this.remotes = remotes;
        this.inference = inference;
        this.scheduler = scheduler;
        this.metrics = metrics;
    }

    void register(RoutesConfig routes) {
        routes.get("/livez", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok"));
        routes.get("/readyz", ctx -> {
            String problem = problem(ctx);
            ctx.status(problem == null ? 200 : 503).contentType("text/plain; charset=utf-8")
                    .result(problem == null ? "ok" : problem);
        });
        routes.get("/health", ctx -> {
            String problem = problem(ctx);
            if (problem == null) {
                ctx.json(Json.MAPPER.createObjectNode().put("status", "ok"));
            } else {
                ErrorStyle.OPENAI.write(ctx, 503, problem, ModeldException.Kind.UNAVAILABLE);
            }
        });
        routes.get("/metrics", ctx -> {
            if (metrics == null) {
                throw new ModeldException(ModeldException.Kind.NOT_FOUND,
                        "metrics are off (the daemon runs with --metrics off)");
            }
            ctx.contentType(Metrics.contentType());
            metrics.scrape(ctx.outputStream());
        });
        if (metrics != null) {
            routes.after(ctx -> metrics.request(door(ctx.path()), ctx.statusCode()));
        }
    }

    /** Why the daemon is not ready for what {@code ctx} asks, or null. */
    private String problem(Context ctx) {
        String engine = scheduler.engineProblem();
        if (engine != null) {
            return "llama.cpp cannot run: " + engine;
        }
        String model = ctx.queryParam("model");
        if (model == null || model.isBlank()) {
            return null;
        }
        ModelRecord r;
        try {
            r = inference.model(model);
        } catch (ModeldException e) {
            return e.getMessage();
        }
        if (r.remote() != null) {
            io.modeld.remote.RemoteModels.Reach reach = remotes.reach(r.remote().host());
            return reach.reachable() ? null : "remote model '" + model + "': " + reach.error();
        }
        for (LoadedModel l : scheduler.loadedModels()) {
            if (l.id().equals(r.id())) {
                return null;
            }
        }
        return "model '" + model + "' is not loaded yet";
    }

    /** The door a path belongs to, as the request counter labels it. */
    static String door(String path) {
        if (path.startsWith("/api/")) {
            return "ollama";
        }
        if (path.startsWith("/v1/messages")) {
            return "anthropic";
        }
        if (path.startsWith("/v1/") || path.equals("/apply-template") || path.startsWith("/slots")
                || path.equals("/tokenize") || path.equals("/detokenize")) {
            return "openai";
        }
        if (path.equals("/") || path.startsWith("/web/")) {
            return "dashboard";
        }
        if (path.equals("/metrics") || path.equals("/livez") || path.equals("/readyz") || path.equals("/health")
                || path.startsWith("/.well-known/")) {
            return "probes";
        }
        return "pieces";
    }
}
