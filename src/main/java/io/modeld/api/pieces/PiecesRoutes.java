package io.modeld.api.pieces;

import io.javalin.config.RoutesConfig;
import io.modeld.api.ModelViews;
import io.modeld.catalog.ModelService;
import io.modeld.download.Downloads;
import io.modeld.download.Pushes;
import io.modeld.inference.Inference;
import io.modeld.runtime.Scheduler;

/**
 * The Pieces door: the Model API ({@link ModelRoutes}), the Models API ({@link ModelsRoutes}) with their
 * WebSockets, and modeld's extensions for moving models ({@link TransferRoutes}), all in the Pieces SDKs'
 * JSON and plain-text errors.
 */
public final class PiecesRoutes {

    private final ModelRoutes model;
    private final ModelsRoutes list;
    private final TransferRoutes transfers;

    public PiecesRoutes(ModelService models, Downloads downloads, Pushes pushes, Inference inference, Scheduler scheduler,
                        ModelViews views) {
        this.model = new ModelRoutes(models, downloads, inference, views,
                new ProgressStream(models, downloads, views.schema()));
        this.list = new ModelsRoutes(models, downloads, scheduler, views, new IdentifierStream(models, views));
        this.transfers = new TransferRoutes(models, downloads, pushes, views);
    }

    public void register(RoutesConfig routes) {
        model.register(routes);
        list.register(routes);
        transfers.register(routes);
    }
}
