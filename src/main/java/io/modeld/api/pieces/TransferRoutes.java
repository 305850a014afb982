package io.modeld.api.pieces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.modeld.api.Bodies;
import io.modeld.api.Fields;
import io.modeld.api.ModelViews;
import io.modeld.api.Outbox;
import io.modeld.api.Sockets;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.schema.ModelDownloadProgress;
import io.modeld.catalog.ModelService;
import io.modeld.config.Sizes;
import io.modeld.download.DownloadProgress;
import io.modeld.download.Downloads;
import io.modeld.download.Pushes;

/**
 * Extensions for moving models: pushing one to a registry ({@code POST /model/{model}/push} with
 * {@code {"target": "oci://..."}}, progress frames on the WebSocket {@code /model/{model}/push/progress}
 * shaped as a download's, {@code /push/cancel}), checking downloaded models against their sources
 * ({@code GET /models/outdated}) and fetching what changed ({@code POST /model/{model}/download/update}),
 * and the bandwidth cap of all downloads ({@code GET} and {@code PUT /downloads/bandwidth}).
 */
final class TransferRoutes {

    private final ModelService models;
    private final Downloads downloads;
    private final Pushes pushes;
    private final ModelViews views;

    TransferRoutes(ModelService models, Downloads downloads, Pushes pushes, ModelViews views) {
        this.models = models;
        this.downloads = downloads;
        this.pushes = pushes;
        this.views = views;
    }

    void register(RoutesConfig routes) {
        routes.post("/model/{model}/push", ctx -> {
            JsonNode body = Bodies.json(ctx);
            String target = Fields.requiredText(body, "target", "an oci:// or ollama:// reference");
            ctx.status(202);
            Bodies.json(ctx, views.json(pushes.start(ctx.pathParam("model"), target)));
        });
        routes.post("/model/{model}/push/cancel", ctx -> {
            pushes.cancel(models.get(ctx.pathParam("model")).id());
            ctx.status(204);
        });
        routes.wsBeforeUpgrade("/model/{model}/push/progress", ctx -> models.get(ctx.pathParam("model")));
        routes.ws("/model/{model}/push/progress", ws -> {
            ws.onConnect(ctx -> {
                String id = models.get(ctx.pathParam("model")).id();
                Outbox<Object> out = Outbox.latest(ctx);
                ctx.attribute("following", pushes.follow(id, p -> out.offer(frame(p))));
            });
            ws.onClose(ctx -> Sockets.stop(ctx.attribute("following")));
            ws.onError(ctx -> Sockets.stop(ctx.attribute("following")));
        });
        Sockets.upgradeOnly(routes, "/model/{model}/push/progress", ctx -> models.get(ctx.pathParam("model")));
        routes.get("/models/outdated", ctx -> {
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.set("iterable", Json.MAPPER.valueToTree(downloads.outdated()));
            ctx.json(out);
        });
        routes.post("/model/{model}/download/update", ctx -> Bodies.json(ctx, views.json(downloads.update(ctx.pathParam("model")))));
        routes.get("/downloads/bandwidth", ctx -> ctx.json(bandwidth()));
        routes.put("/downloads/bandwidth", ctx -> {
            JsonNode body = Bodies.json(ctx);
            JsonNode rate = body.get("bytesPerSecond");
            long bytes;
            if (rate != null && rate.isIntegralNumber() && rate.asLong() >= 0) {
                bytes = rate.asLong();
            } else if (rate != null && rate.isTextual()) {
                try {
                    bytes = Sizes.parseRate(rate.asText());
                } catch (IllegalArgumentException e) {
                    throw ModeldException.invalid("bytesPerSecond: " + e.getMessage());
                }
            } else {
                throw ModeldException.invalid("bytesPerSecond: a number of bytes a second (0 for no cap), or a rate "
                        + "such as \"20MB/s\"");
            }
            downloads.bandwidth().set(bytes);
            ctx.json(bandwidth());
        });
    }

    private ObjectNode bandwidth() {
        return Json.MAPPER.createObjectNode().put("bytesPerSecond", downloads.bandwidth().bytesPerSecond());
    }

    private ModelDownloadProgress frame(DownloadProgress p) {
        return new ModelDownloadProgress(views.schema(), p.status().wire(), p.percentage(),
                new ModelDownloadProgress.Bytes(p.downloaded(), p.total()), p.bytesPerSecond(), p.error());
    }
}
