package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.OllamaNames;
import io.modeld.download.Downloads;
import io.modeld.download.Pushes;
import io.modeld.runtime.RunnerRuntime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Ollama's API on the same server, store and runtime, so that Ollama's clients (Open WebUI, Continue,
 * LangChain4j, PiecesOS) work unchanged: version, tags, show, ps, copy, delete and the embedding routes
 * here; generation in {@link OllamaGeneration}, pull and push in {@link OllamaPull}, create and blobs in
 * {@link OllamaCreate}. Models answer to the names {@link OllamaNames} gives them; errors are
 * {@code {"error": "..."}} with Ollama's status codes ({@link ErrorStyle#OLLAMA}).
 */
final class OllamaRoutes {

    /** The Ollama version whose API this one follows; clients compare it to enable features. */
    static final String VERSION = "0.33.0";

    private final ModelService models;
    private final Downloads downloads;
    private final RunnerRuntime runtime;
    private final OllamaViews views;

    private final Pushes pushes;

    OllamaRoutes(ModelService models, Downloads downloads, Pushes pushes, RunnerRuntime runtime) {
        this.pushes = pushes;
        this.models = models;
        this.downloads = downloads;
        this.runtime = runtime;
        this.views = new OllamaViews(models);
    }

    void register(RoutesConfig routes, String dashboard) {
        routes.get("/", ctx -> {
            if (Dashboard.wantsPage(ctx)) {
                ctx.contentType("text/html; charset=utf-8").result(dashboard);
            } else {
                ctx.contentType("text/plain; charset=utf-8").result("Ollama is running");
            }
        });
        routes.head("/", ctx -> ctx.contentType("text/plain; charset=utf-8"));
        routes.get("/api/version", ctx -> ctx.json(Json.MAPPER.createObjectNode().put("version", VERSION)));
        routes.head("/api/version", ctx -> ctx.contentType("application/json"));
        routes.get("/api/tags", this::tags);
        routes.head("/api/tags", ctx -> ctx.contentType("application/json"));
        routes.post("/api/show", this::show);
        routes.get("/api/ps", this::ps);
        routes.post("/api/copy", this::copy);
        routes.delete("/api/delete", this::delete);
        routes.post("/api/embed", this::embed);
        routes.post("/api/embeddings", this::embeddings);
        new OllamaGeneration(models, runtime, this).register(routes);
        new OllamaPull(models, downloads, pushes, this).register(routes);
        new OllamaCreate(models, this).register(routes);
    }

    /** The model a client names: by Ollama name, else by id or unique name; 404 in Ollama's words otherwise. */
    ModelRecord resolve(String name) {
        ModelRecord r = models.findOllama(name);
        if (r == null && ModelSpec.UNIQUE_NAME.matcher(name).matches()) {
            try {
                r = models.get(name);
            } catch (ModeldException e) {
                r = null;
            }
        }
        if (r == null) {
            throw new ModeldException(ModeldException.Kind.NOT_FOUND, "model '" + name + "' not found");
        }
        return r;
    }

    /** A model that is on this machine: Ollama knows no other; one that is not was never pulled. */
    ModelRecord local(String name) {
        ModelRecord r = resolve(name);
        if (!r.downloaded()) {
            throw new ModeldException(ModeldException.Kind.NOT_FOUND, "model '" + name + "' not found, try pulling "
                    + "it first");
        }
        return r;
    }

    private void tags(Context ctx) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode list = out.putArray("models");
        models.list().stream().filter(ModelRecord::downloaded)
                .sorted(Comparator.comparing(views::modified).reversed())
                .forEach(r -> list.add(views.tag(r)));
        ctx.json(out);
    }

    private void show(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        ModelRecord r = local(OllamaRequest.model(body));
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
        out.set("model_info", views.modelInfo(r));
        out.set("capabilities", views.capabilities(r));
        out.put("modified_at", OllamaViews.localTime(views.modified(r)));
        ctx.json(out);
    }

    private String modelfile(ModelRecord r, String template, String system) {
        StringBuilder m = new StringBuilder("# Modelfile of ").append(OllamaNames.of(r)).append(", served by modeld\n")
                .append("FROM ").append(models.fileOf(r)).append('\n');
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
        for (RunnerRuntime.LoadedModel l : runtime.loadedModels()) {
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
                    .put("size", Math.max(l.resident(), l.estimate())).put("size_vram", 0)
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
        ModelRecord src = models.findOllama(source);
        if (src == null || !src.downloaded()) {
            throw new ModeldException(ModeldException.Kind.NOT_FOUND, "model \"" + source + "\" not found");
        }
        models.createFromFile(OllamaCreate.specFor(destination, src.spec(), src.spec().modelfile()), models.filesOf(src),
                src.file());
        ctx.status(200);
    }

    private void delete(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        ModelRecord r = local(OllamaRequest.model(body));
        if (models.inCatalog(r.id())) {
            downloads.deleteCache(r.id());
        } else {
            downloads.delete(r.id());
        }
        ctx.status(200);
    }

    private void embed(Context ctx) {
        long start = System.nanoTime();
        JsonNode body = Bodies.json(ctx);
        String name = OllamaRequest.model(body);
        ModelRecord r = local(name);
        JsonNode input = body.get("input");
        List<String> inputs;
        if (input == null || input.isNull() || input.isTextual() && input.textValue().isEmpty()
                || input.isArray() && input.isEmpty()) {
            inputs = List.of();
        } else if (input.isTextual()) {
            inputs = List.of(input.textValue());
        } else if (input.isArray()) {
            inputs = new java.util.ArrayList<>();
            for (JsonNode i : input) {
                if (!i.isTextual()) {
                    throw ModeldException.invalid("invalid input type");
                }
                inputs.add(i.textValue());
            }
        } else {
            throw ModeldException.invalid("invalid input type");
        }
        if (inputs.size() > EmbeddingRoutes.MAX_INPUTS) {
            throw ModeldException.invalid("input: at most " + EmbeddingRoutes.MAX_INPUTS + " inputs in one request");
        }
        boolean truncate = Fields.bool(body, "truncate", true);
        int dimensions = (int) Fields.whole(body, "dimensions", 0, 0, 65_536);
        RunnerRuntime.LoadOptions load = new RunnerRuntime.LoadOptions(OllamaRequest.context(OllamaRequest.options(body)),
                OllamaRequest.keepAlive(body));
        ObjectNode out = Json.MAPPER.createObjectNode().put("model", name);
        ArrayNode vectors = out.putArray("embeddings");
        long loadNanos = 0;
        int tokens = 0;
        if (inputs.isEmpty()) {
            runtime.load(r.id(), load);
        } else {
            RunnerRuntime.Pooled pooled = runtime.embed(r.id(), load, inputs, null, truncate);
            for (float[] v : pooled.vectors()) {
                ArrayNode a = vectors.addArray();
                for (float x : Vectors.normalized(Vectors.truncated(Vectors.normalized(v), dimensions))) {
                    a.add(x);
                }
            }
            loadNanos = pooled.loadNanos();
            tokens = pooled.tokens();
        }
        out.put("total_duration", System.nanoTime() - start).put("load_duration", loadNanos)
                .put("prompt_eval_count", tokens);
        ctx.json(out);
    }

    /** The older {@code /api/embeddings}: one prompt, one vector, not normalised (as Ollama answers it). */
    private void embeddings(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        ModelRecord r = local(OllamaRequest.model(body));
        String prompt = Fields.text(body, "prompt", "");
        RunnerRuntime.LoadOptions load = new RunnerRuntime.LoadOptions(OllamaRequest.context(OllamaRequest.options(body)),
                OllamaRequest.keepAlive(body));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode vector = out.putArray("embedding");
        if (prompt.isEmpty()) {
            runtime.load(r.id(), load);
        } else {
            for (float x : runtime.embed(r.id(), load, List.of(prompt), null, true).vectors().get(0)) {
                vector.add(x);
            }
        }
        ctx.json(out);
    }
}
