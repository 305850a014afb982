package io.modeld.api.pieces;

import static io.modeld.api.Bodies.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.api.Bodies;
import io.modeld.api.ModelViews;
import io.modeld.api.Sockets;
import io.modeld.catalog.ModelService;
import io.modeld.copilot.CopilotModel;
import io.modeld.download.Downloads;
import io.modeld.inference.Inference;

/** The Model API: one model's snapshot, update, download, load and unload (the Copilot alias's are its target's). */
final class ModelRoutes {

    private final ModelService models;
    private final Downloads downloads;
    private final Inference inference;
    private final ModelViews views;
    private final ProgressStream progress;
    private final CopilotAlias alias;
    private final CopilotModel copilotModel;

    ModelRoutes(ModelService models, Downloads downloads, Inference inference, ModelViews views,
                ProgressStream progress, CopilotAlias alias, CopilotModel copilotModel) {
        this.alias = alias;
        this.copilotModel = copilotModel;
        this.models = models;
        this.downloads = downloads;
        this.inference = inference;
        this.views = views;
        this.progress = progress;
    }

    void register(RoutesConfig routes) {
        routes.get("/model/{model}", ctx -> {
            ObjectNode aliased = CopilotModel.isAlias(ctx.pathParam("model")) ? alias.view() : null;
            if (aliased != null) {
                ctx.json(aliased);
            } else {
                json(ctx, views.json(models.get(ctx.pathParam("model"))));
            }
        });
        routes.post("/model/update", ctx -> json(ctx, views.json(models.update(Bodies.json(ctx)))));
        routes.post("/model/{model}/download", ctx -> json(ctx, views.json(downloads.start(named(ctx)))));
        routes.post("/model/{model}/download/cancel",
                ctx -> json(ctx, views.json(downloads.cancel(named(ctx)))));
        routes.wsBeforeUpgrade("/model/{model}/download/progress", ctx -> models.get(ctx.pathParam("model")));
        routes.ws("/model/{model}/download/progress", progress::configure);
        Sockets.upgradeOnly(routes, "/model/{model}/download/progress", ctx -> models.get(ctx.pathParam("model")));
        routes.post("/model/{model}/load", ctx -> json(ctx, views.json(inference.load(named(ctx)))));
        routes.post("/model/{model}/unload", ctx -> json(ctx, views.json(inference.unload(named(ctx)))));
    }

    /** The model the path names; the Copilot alias stands for its target when it is downloaded, loaded or unloaded. */
    private String named(Context ctx) {
        String name = ctx.pathParam("model");
        return CopilotModel.isAlias(name) ? copilotModel.resolve(name) : name;
    }
}
