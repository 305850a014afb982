package io.modeld.api.pieces;

import static io.modeld.api.Bodies.json;

import io.javalin.config.RoutesConfig;
import io.modeld.api.Bodies;
import io.modeld.api.ModelViews;
import io.modeld.api.Sockets;
import io.modeld.catalog.ModelService;
import io.modeld.download.Downloads;
import io.modeld.inference.Inference;

/** The Model API: one model's snapshot, update, download, load and unload. */
final class ModelRoutes {

    private final ModelService models;
    private final Downloads downloads;
    private final Inference inference;
    private final ModelViews views;
    private final ProgressStream progress;

    ModelRoutes(ModelService models, Downloads downloads, Inference inference, ModelViews views,
                ProgressStream progress) {
        this.models = models;
        this.downloads = downloads;
        this.inference = inference;
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
        routes.post("/model/{model}/load", ctx -> json(ctx, views.json(inference.load(ctx.pathParam("model")))));
        routes.post("/model/{model}/unload", ctx -> json(ctx, views.json(inference.unload(ctx.pathParam("model")))));
    }
}
