package io.modeld.api.pieces;

import static io.modeld.api.Bodies.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.modeld.Json;
import io.modeld.api.schema.ModelDeleteCacheOutput;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.download.Downloads;
import io.modeld.runtime.LoadedModel;
import io.modeld.runtime.Scheduler;
import io.modeld.api.Bodies;
import io.modeld.api.ModelViews;
import io.modeld.api.Sockets;

/**
 * The Models API: list (the Copilot alias last), create, delete, delete the files, unload all, and the
 * identifiers stream; and
 * {@code GET /memory}, modeld's own view of the memory budget and what each loaded model uses.
 */
final class ModelsRoutes {

    private final ModelService models;
    private final Downloads downloads;
    private final Scheduler scheduler;
    private final ModelViews views;
    private final IdentifierStream identifiers;
    private final CopilotAlias alias;

    private final io.modeld.remote.RemoteModels remotes;

    ModelsRoutes(ModelService models, Downloads downloads, Scheduler scheduler, ModelViews views,
                 IdentifierStream identifiers, CopilotAlias alias, io.modeld.remote.RemoteModels remotes) {
        this.alias = alias;
        this.remotes = remotes;
        this.models = models;
        this.downloads = downloads;
        this.scheduler = scheduler;
        this.views = views;
        this.identifiers = identifiers;
    }

    /**
     * A SeededModel made into a custom model; with {@code remote} ({@code {"host": URL, "model": NAME}}, modeld's
     * extension) a remote model, answered by that server's model.
     */
    private ModelRecord create(com.fasterxml.jackson.databind.JsonNode body) {
        com.fasterxml.jackson.databind.JsonNode remote = body.get("remote");
        if (remote == null || remote.isNull()) {
            return models.create(body);
        }
        if (!remote.isObject() || !remote.path("host").isTextual() || !remote.path("model").isTextual()) {
            throw io.modeld.ModeldException.invalid("remote: an object {\"host\": URL, \"model\": the model's name "
                    + "there}");
        }
        io.modeld.catalog.ModelSpec spec = io.modeld.catalog.SpecParser.apply(body, io.modeld.catalog.ModelSpec.defaults());
        if (spec.name() == null) {
            throw io.modeld.ModeldException.invalid("name: required");
        }
        return remotes.create(spec, remote.get("host").textValue(), remote.get("model").textValue(), "remote.host",
                "remote.model");
    }

    void register(RoutesConfig routes) {
        routes.get("/models", ctx -> json(ctx, alias.appendTo(views.json(models.list()))));
        routes.post("/models/create", ctx -> json(ctx, views.json(create(Bodies.json(ctx)))));
        routes.post("/models/{model}/delete", ctx -> {
            downloads.delete(ctx.pathParam("model"));
            ctx.status(204);
        });
        routes.post("/models/{model}/delete/cache", ctx -> {
            ModelRecord r = downloads.deleteCache(ctx.pathParam("model"));
            ctx.json(new ModelDeleteCacheOutput(views.schema(), views.reference(r.id())));
        });
        routes.get("/memory", ctx -> {
            ObjectNode out = Json.MAPPER.createObjectNode().put("budget", scheduler.budget()).put("used", scheduler.used());
            ArrayNode list = out.putArray("loaded");
            for (LoadedModel l : scheduler.loadedModels()) {
                ModelRecord r = models.get(l.id());
                list.addObject().put("id", l.id()).put("name", r.spec().name()).put("unique", r.spec().unique())
                        .put("estimate", l.estimate()).put("resident", l.resident()).put("pid", l.pid())
                        .put("role", l.role().wire()).put("context", l.context())
                        .put("waiting", l.waiting()).put("busy", l.busy()).put("slots", l.slots())
                        .put("busySlots", l.busySlots()).put("kvCacheType", l.kvCacheType())
                        .put("flashAttention", l.flashAttention()).put("device", l.device())
                        .put("gpuLayers", l.gpuLayers()).put("layers", l.layers()).put("deviceBytes", l.deviceBytes())
                        .set("promptCache", Json.MAPPER.valueToTree(l.promptCache()));
                list.get(list.size() - 1).withObject("/drafts").put("drafted", l.drafts().drafted())
                        .put("accepted", l.drafts().accepted());
            }
            ArrayNode devices = out.putArray("devices");   // the GPUs, and what modeld's models take on each
            for (io.modeld.engine.Device d : scheduler.knownDevices()) {
                long[] use = scheduler.deviceUse(d);
                devices.addObject().put("name", d.name()).put("description", d.description()).put("backend", d.backend())
                        .put("integrated", d.integrated()).put("total", d.total()).put("freeAtStart", d.free())
                        .put("budget", use[1]).put("used", use[0]);
            }
            out.put("gpu", scheduler.gpu().mode()).put("gpuNote", scheduler.gpuNote());
            long[] spare = scheduler.spareRunner();
            if (spare == null) {
                out.putNull("spare");
            } else {
                out.putObject("spare").put("pid", spare[0]).put("resident", spare[1]);
            }
            ctx.json(out);
        });
        routes.post("/models/unload", ctx -> {
            scheduler.unloadAll();
            ctx.status(204);
        });
        routes.ws("/models/stream/identifiers", identifiers::configure);
        Sockets.upgradeOnly(routes, "/models/stream/identifiers", ctx -> { });
    }
}
