package io.modeld.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.api.Bodies;
import io.modeld.api.Fields;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.OllamaNames;
import io.modeld.download.Downloads;
import io.modeld.download.Pulls;
import io.modeld.download.Pushes;
import io.modeld.inference.Inference;
import io.modeld.runtime.LoadedModel;
import io.modeld.runtime.Scheduler;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Ollama's API on the same server, store and inference core, so that Ollama's clients (Open WebUI,
 * Continue, LangChain4j, PiecesOS) work unchanged: version, tags, show, ps, copy, delete and the embedding
 * routes here; generation in {@link OllamaGeneration}, pull and push in {@link OllamaPull}, create and
 * blobs in {@link OllamaCreate}. Models answer to every name the one resolver knows ({@link Inference#model});
 * errors are {@code {"error": "..."}} with Ollama's status codes and words.
 */
public final class OllamaRoutes {

    /** The Ollama version whose API this one follows; clients compare it to enable features. */
    static final String VERSION = "0.33.0";

    private final ModelService models;
    private final Downloads downloads;
    private final Scheduler scheduler;
    private final Inference inference;
    private final OllamaViews views;
    private final Pulls pulls;
    private final Pushes pushes;

    private final io.modeld.remote.RemoteModels remotes;

    public OllamaRoutes(ModelService models, Downloads downloads, Pulls pulls, Pushes pushes, Inference inference,
                        Scheduler scheduler, io.modeld.remote.RemoteModels remotes) {
        this.remotes = remotes;
        this.pulls = pulls;
        this.pushes = pushes;
        this.models = models;
        this.downloads = downloads;
        this.inference = inference;
        this.scheduler = scheduler;
        this.views = new OllamaViews(models, inference);
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/version", ctx -> ctx.json(Json.MAPPER.createObjectNode().put("version", VERSION)));
        routes.head("/api/version", ctx -> ctx.contentType("application/json"));
        routes.get("/api/tags", this::tags);
        routes.head("/api/tags", ctx -> ctx.contentType("application/json"));
        routes.post("/api/show", this::show);
        routes.get("/api/ps", this::ps);
        routes.post("/api/copy", this::copy);
        routes.delete("/api/delete", this::delete);
        new OllamaEmbeddings(inference).register(routes);
        new OllamaGeneration(inference).register(routes);
        new OllamaPull(downloads, pulls, pushes, inference).register(routes);
        new OllamaCreate(models, inference, remotes).register(routes);
    }

    /**
     * A model that answers here: on this machine, or a remote one. Ollama knows no other, and one that is not was
     * never pulled.
     */
    static ModelRecord local(Inference inference, String name) {
        ModelRecord r = inference.model(name);
        if (!r.usable()) {
            throw new ModeldException(ModeldException.Kind.NOT_FOUND, "model '" + name + "' not found, try pulling "
                    + "it first");
        }
        return r;
    }

    private void tags(Context ctx) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode list = out.putArray("models");
        models.list().stream().filter(ModelRecord::usable)
                .sorted(Comparator.comparing(views::modified).reversed())
                .forEach(r -> list.add(views.tag(r)));
        ctx.json(out);
    }

    private void show(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        ModelRecord r = local(inference, OllamaRequest.model(body));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ModelSpec s = r.spec();
        String license = s.modelfile() != null && s.modelfile().license() != null ? s.modelfile().license()
                : s.description() == null ? "" : s.description();
        String template = views.chatTemplate(r);
        String system = s.modelfile() == null || s.modelfile().system() == null ? "" : s.modelfile().system();
        out.put("license", license);
        out.put("modelfile", modelfile(r, template, system));
        out.put("parameters", parameters(r));
        out.put("template", template == null ? "" : template);
        out.put("system", system);
        out.set("details", views.details(r));
        OllamaViews.remote(out, r);
        out.set("model_info", views.modelInfo(r));
        ObjectNode projector = views.projectorInfo(r);
        if (projector != null) {
            out.set("projector_info", projector);
        }
        // one model: its template's check is waited for (listings never wait)
        OllamaViews.capabilities(out, inference.checkedCapabilities(r));
        out.put("modified_at", OllamaViews.localTime(views.modified(r)));
        ctx.json(out);
    }

    private String modelfile(ModelRecord r, String template, String system) {
        StringBuilder m = new StringBuilder("# Modelfile of ").append(OllamaNames.of(r)).append(", served by modeld\n")
                .append("FROM ").append(r.remote() != null ? r.remote().model() : models.fileOf(r)).append('\n');
        if (template != null && !template.isEmpty()) {
            m.append("TEMPLATE \"\"\"").append(template).append("\"\"\"\n");
        }
        if (!system.isEmpty()) {
            m.append("SYSTEM \"\"\"").append(system).append("\"\"\"\n");
        }
        m.append(parameters(r).lines().map(l -> "PARAMETER " + l + "\n").reduce("", String::concat));
        return m.toString();
    }

    /** The model's default parameters as Ollama shows them: one {@code name value} per line. */
    private static String parameters(ModelRecord r) {
        if (r.spec().modelfile() == null || r.spec().modelfile().parameters() == null) {
            return "";
        }
        StringBuilder p = new StringBuilder();
        r.spec().modelfile().parameters().forEach((k, v) -> {
            if (v instanceof List<?> values) {
                values.forEach(x -> p.append(k).append(' ').append(Json.MAPPER.<JsonNode>valueToTree(x).toString())
                        .append('\n'));
            } else {
                p.append(k).append(' ').append(v).append('\n');
            }
        });
        return p.toString();
    }

    private void ps(Context ctx) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode list = out.putArray("models");
        for (LoadedModel l : scheduler.loadedModels()) {
            ModelRecord r;
            try {
                r = models.get(l.id());
            } catch (ModeldException e) {
                continue;
            }
            String name = OllamaNames.of(r);
            Instant expires = l.expiresAt() < 0 ? Instant.now().plusSeconds(100L * 365 * 24 * 3600)
                    : Instant.ofEpochMilli(l.expiresAt());
            ObjectNode m = list.addObject().put("name", name).put("model", name)
                    .put("size", Math.max(l.resident(), l.estimate())).put("size_vram", l.deviceBytes())
                    .put("digest", r.file() == null || r.file().sha256() == null ? "" : r.file().sha256());
            m.set("details", views.details(r));
            m.put("expires_at", OllamaViews.localTime(expires)).put("context_length", l.context());
        }
        ctx.json(out);
    }

    private void copy(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        String source = Fields.text(body, "source", null);
        String destination = Fields.text(body, "destination", null);
        if (source == null || source.isBlank()) {
            throw ModeldException.invalid("source is required");
        }
        if (!OllamaNames.valid(destination)) {
            throw ModeldException.invalid("destination \"" + (destination == null ? "" : destination) + "\" is invalid");
        }
        ModelRecord src;
        try {
            src = local(inference, source);
        } catch (ModeldException e) {
            throw new ModeldException(ModeldException.Kind.NOT_FOUND, "model \"" + source + "\" not found");
        }
        ModelSpec copied = io.modeld.catalog.OllamaNames.spec(destination, src.spec(), src.spec().modelfile());
        if (src.remote() != null) {
            models.createRemote(copied);
        } else {
            models.createFromFile(copied, models.filesOf(src), src.file(), models.projectorOf(src));
        }
        ctx.status(200);
    }

    private void delete(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        ModelRecord r = local(inference, OllamaRequest.model(body));
        if (models.inCatalog(r.id())) {
            downloads.deleteCache(r.id());
        } else {
            downloads.delete(r.id());
        }
        ctx.status(200);
    }
}
