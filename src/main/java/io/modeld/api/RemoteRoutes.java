package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.remote.RemoteModels;
import java.util.ArrayList;
import java.util.List;

/**
 * modeld's own routes for the servers remote models live on: {@code GET /remotes} (the allow-list, and each host
 * with whether a key is kept, whether it answers, how fast, and the models on it), {@code POST /remotes} (keep a
 * host's key, and make remote models of its models: {@code modeld remote add}), {@code DELETE /remotes?url=}
 * (forget the key). A key goes in and never comes out.
 */
final class RemoteRoutes {

    private final RemoteModels remotes;

    RemoteRoutes(RemoteModels remotes) {
        this.remotes = remotes;
    }

    void register(RoutesConfig routes) {
        routes.get("/remotes", this::list);
        routes.post("/remotes", this::add);
        routes.delete("/remotes", ctx -> {
            remotes.forget(ctx.queryParam("url"));
            ctx.status(204);
        });
    }

    private void list(Context ctx) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode allowed = out.putArray("allowed");
        remotes.client().hosts().allowed().forEach(allowed::add);
        ArrayNode hosts = out.putArray("hosts");
        for (RemoteModels.Reach r : remotes.hosts()) {
            ObjectNode h = hosts.addObject().put("host", r.host()).put("allowed", r.allowed()).put("key", r.key())
                    .put("reachable", r.reachable()).put("latencyMs", r.millis()).put("checked", r.checked().toString());
            if (r.error() != null) {
                h.put("error", r.error());
            }
            ArrayNode names = h.putArray("models");
            r.models().forEach(names::add);
        }
        ctx.json(out);
    }

    private void add(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        String url = Fields.text(body, "url", null);
        String key = Fields.text(body, "key", null);
        JsonNode given = body.get("models");
        List<String> names = new ArrayList<>();
        if (given != null && !given.isNull()) {
            if (!given.isArray()) {
                throw ModeldException.invalid("models: an array of the models' names on the server");
            }
            for (JsonNode n : given) {
                if (!n.isTextual() || n.textValue().isBlank()) {
                    throw ModeldException.invalid("models: an array of the models' names on the server");
                }
                names.add(n.textValue());
            }
        }
        List<ModelRecord> made = remotes.add(url, key, names);
        ObjectNode out = Json.MAPPER.createObjectNode().put("host", io.modeld.remote.RemoteHosts.base(url, "url"));
        ArrayNode list = out.putArray("models");
        made.forEach(r -> list.addObject().put("id", r.id()).put("name", r.spec().name())
                .put("remote_model", r.remote().model()));
        ctx.json(out);
    }
}
