package io.modeld.api;

import static io.modeld.api.Bodies.json;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelService;

/** The Model API: one model's snapshot, update, download, load and unload. */
final class ModelRoutes {

    private final ModelService models;
    private final ModelViews views;

    ModelRoutes(ModelService models, ModelViews views) {
        this.models = models;
        this.views = views;
    }

    void register(RoutesConfig routes) {
        routes.get("/model/{model}", ctx -> json(ctx, views.json(models.get(ctx.pathParam("model")))));
        routes.post("/model/update", ctx -> json(ctx, views.json(models.update(Bodies.json(ctx)))));
        routes.post("/model/{model}/download", ctx -> notYet(ctx, "downloads"));
        routes.post("/model/{model}/download/cancel", ctx -> notYet(ctx, "downloads"));
        routes.get("/model/{model}/download/progress", ctx -> notYet(ctx, "download progress"));
        routes.post("/model/{model}/load", ctx -> notYet(ctx, "loading models"));
        routes.post("/model/{model}/unload", ctx -> notYet(ctx, "unloading models"));
    }

    private void notYet(Context ctx, String what) {
        models.get(ctx.pathParam("model"));
        throw new ModeldException(ModeldException.Kind.NOT_IMPLEMENTED,
                what + " is not implemented in this version of modeld yet");
    }
}
