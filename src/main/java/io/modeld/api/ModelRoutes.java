package io.modeld.api;

import static io.modeld.api.Bodies.json;

import io.javalin.config.RoutesConfig;
import io.modeld.catalog.ModelService;
import io.modeld.download.Downloads;
import io.modeld.runtime.RunnerRuntime;

/** The Model API: one model's snapshot, update, download, load and unload. */
final class ModelRoutes {

    private final ModelService models;
    private final Downloads downloads;
    private final RunnerRuntime runtime;
    private final ModelViews views;
    private final ProgressStream progress;

    ModelRoutes(ModelService models, Downloads downloads, RunnerRuntime runtime, ModelViews views,
                ProgressStream progress) {
        this.models = models;
        this.downloads = downloads;
        this.runtime = runtime;
        this.views = views;
        this.progress = progress;
    }

    void register(RoutesConfig routes) {
        routes.get("/model/{model}", ctx -> json(ctx, views.json(models.get(ctx.pathParam("model")))));
        routes.post("/model/update", ctx -> json(ctx, views.json(models.update(Bodies.json(ctx)))));
        routes.post("/model/{model}/download", ctx -> json(ctx, views.json(downloads.start(ctx.pathParam("model")))));
        routes.post("/model/{model}/download/cancel",
                ctx -> json(ctx, views.json(downloads.cancel(ctx.pathParam("model")))));
        routes.wsBeforeUpgrade("/model/{model}/download/progress", ctx -> models.get(ctx.pathParam("model")));
        routes.ws("/model/{model}/download/progress", progress::configure);
        Sockets.upgradeOnly(routes, "/model/{model}/download/progress", ctx -> models.get(ctx.pathParam("model")));
        routes.post("/model/{model}/load", ctx -> json(ctx, views.json(runtime.load(ctx.pathParam("model")))));
        routes.post("/model/{model}/unload", ctx -> json(ctx, views.json(runtime.unload(ctx.pathParam("model")))));
    }
}
