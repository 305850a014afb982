package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.Modelfile;
import io.modeld.catalog.OllamaNames;
import io.modeld.engine.ChatTurn;
import io.modeld.engine.Sampling;
import io.modeld.gguf.ModelRole;
import io.modeld.runtime.GenerateRequest;
import io.modeld.runtime.GenerateResult;
import io.modeld.runtime.RunnerRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Ollama's {@code /api/generate} and {@code /api/chat}: streamed as NDJSON unless {@code stream:
 * false}, with Ollama's counters in nanoseconds and real tokens. An empty prompt (or no messages) only
 * loads the model ({@code done_reason: load}), or unloads it with {@code keep_alive: 0}
 * ({@code unload}). Prompts are formatted by the model's own chat template; {@code raw} sends the
 * prompt as it is, {@code suffix} asks a fill-in-the-middle model to fill the gap.
 */
final class OllamaGeneration {

    private final ModelService models;
    private final RunnerRuntime runtime;
    private final OllamaRoutes ollama;

    OllamaGeneration(ModelService models, RunnerRuntime runtime, OllamaRoutes ollama) {
        this.models = models;
        this.runtime = runtime;
        this.ollama = ollama;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/generate", ctx -> run(ctx, false));
        routes.post("/api/chat", ctx -> run(ctx, true));
    }

    private void run(Context ctx, boolean chat) {
        long start = System.nanoTime();
        JsonNode body = Bodies.json(ctx);
        String name = OllamaRequest.model(body);
        ModelRecord r = ollama.local(name);
        if (ModelRoles.of(r.spec()) != ModelRole.GENERATOR) {
            throw ModeldException.invalid("\"" + name + "\" does not support " + (chat ? "chat" : "generate"));
        }
        Duration keepAlive = OllamaRequest.keepAlive(body);
        JsonNode options = OllamaRequest.options(body);
        RunnerRuntime.LoadOptions load = new RunnerRuntime.LoadOptions(OllamaRequest.context(options), keepAlive);
        if (Fields.has(body, "images") && !body.get("images").isEmpty()) {
            throw ModeldException.invalid("\"" + name + "\" does not support images (it reads text only)");
        }
        if (Fields.has(body, "tools") && !body.get("tools").isEmpty()) {
            throw ModeldException.invalid(OllamaNames.of(r) + " does not support tools");
        }
        Modelfile mf = r.spec().modelfile();
        Map<String, Object> defaults = mf == null ? null : mf.parameters();
        GenerateRequest request = chat ? chatRequest(body, r, options, defaults)
                : generateRequest(body, r, options, defaults, name);
        boolean stream = Fields.bool(body, "stream", true);
        if (request == null) {
            loadOnly(ctx, r, name, chat, load, keepAlive, stream);
            return;
        }
        if (!stream) {
            StringBuilder text = new StringBuilder();
            GenerateResult result = runtime.generate(r.id(), load, request, text::append);
            ObjectNode out = chunk(name, chat, text.toString());
            ctx.json(finish(out, result, start));
            return;
        }
        Ndjson lines = new Ndjson(ctx);
        Consumer<String> onToken = piece -> lines.line(chunk(name, chat, piece).put("done", false));
        GenerateResult result;
        try {
            result = runtime.generate(r.id(), load, request, onToken);
        } catch (ModeldException e) {
            lines.error(e.getMessage());
            return;
        }
        lines.line(finish(chunk(name, chat, ""), result, start));
    }

    private static ObjectNode chunk(String model, boolean chat, String text) {
        ObjectNode c = Json.MAPPER.createObjectNode().put("model", model).put("created_at", OllamaViews.utcTime(Instant.now()));
        if (chat) {
            c.putObject("message").put("role", "assistant").put("content", text);
        } else {
            c.put("response", text);
        }
        return c;
    }

    private static ObjectNode finish(ObjectNode last, GenerateResult r, long start) {
        return last.put("done", true).put("done_reason", r.finish().wire())
                .put("total_duration", System.nanoTime() - start).put("load_duration", r.loadNanos())
                .put("prompt_eval_count", r.promptTokens()).put("prompt_eval_duration", r.promptNanos())
                .put("eval_count", r.tokens()).put("eval_duration", r.generateNanos());
    }

    /** An empty prompt: load the model (or unload it with keep_alive 0) and say so. */
    private void loadOnly(Context ctx, ModelRecord r, String name, boolean chat, RunnerRuntime.LoadOptions load,
                          Duration keepAlive, boolean stream) {
        long start = System.nanoTime();
        boolean unload = keepAlive != null && keepAlive.isZero();
        if (unload) {
            runtime.unloadId(r.id());
        } else {
            runtime.load(r.id(), load);
        }
        ObjectNode out = chunk(name, chat, "").put("done", true).put("done_reason", unload ? "unload" : "load");
        if (!unload) {
            out.put("total_duration", System.nanoTime() - start).put("load_duration", System.nanoTime() - start);
        }
        if (stream) {
            new Ndjson(ctx).line(out);
        } else {
            ctx.json(out);
        }
    }

    /** The generation {@code /api/generate} asks for; null when it only loads the model. */
    private GenerateRequest generateRequest(JsonNode body, ModelRecord r, JsonNode options, Map<String, Object> defaults,
                                            String name) {
        String prompt = Fields.text(body, "prompt", "");
        String suffix = Fields.text(body, "suffix", null);
        String system = Fields.text(body, "system", null);
        boolean raw = Fields.bool(body, "raw", false);
        if (Fields.has(body, "template")) {
            throw ModeldException.invalid("template: Go templates are not supported; modeld formats prompts with the "
                    + "model's own chat template (send raw: true with a formatted prompt instead)");
        }
        if (raw && system != null) {
            throw ModeldException.invalid("raw mode does not support template, system, or context");
        }
        if (prompt.isEmpty() && (suffix == null || suffix.isEmpty())) {
            return null;
        }
        Sampling sampling = OllamaRequest.sampling(options, body.get("format"), defaults);
        int max = OllamaRequest.maxTokens(options);
        List<String> stop = OllamaRequest.stop(options, defaults);
        if (suffix != null && !suffix.isEmpty()) {
            return new GenerateRequest(prompt, null, null, max, sampling, stop, false, suffix);
        }
        if (raw) {
            return new GenerateRequest(prompt, null, null, max, sampling, stop, false);
        }
        List<ChatTurn> turns = new ArrayList<>();
        String sys = system != null ? system : r.spec().modelfile() == null ? null : r.spec().modelfile().system();
        if (sys != null && !sys.isEmpty()) {
            turns.add(new ChatTurn("system", sys));
        }
        turns.add(new ChatTurn("user", prompt));
        return new GenerateRequest(null, turns, null, max, sampling, stop, false);
    }

    /** The generation {@code /api/chat} asks for; null when it only loads the model. */
    private GenerateRequest chatRequest(JsonNode body, ModelRecord r, JsonNode options, Map<String, Object> defaults) {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull() || messages.isArray() && messages.isEmpty()) {
            return null;
        }
        if (!messages.isArray()) {
            throw ModeldException.invalid("messages: must be an array of {role, content}");
        }
        List<ChatTurn> turns = new ArrayList<>();
        boolean hasSystem = false;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = Fields.text(m, "role", "").toLowerCase(java.util.Locale.ROOT);
            if (!List.of("system", "user", "assistant", "tool").contains(role)) {
                throw ModeldException.invalid("messages[" + i + "].role: must be system, user, assistant or tool");
            }
            if (Fields.has(m, "images") && !m.get("images").isEmpty()) {
                throw ModeldException.invalid("\"" + OllamaNames.of(r) + "\" does not support images (it reads text only)");
            }
            hasSystem |= role.equals("system");
            turns.add(new ChatTurn(role, Fields.text(m, "content", "")));
        }
        String sys = r.spec().modelfile() == null ? null : r.spec().modelfile().system();
        if (!hasSystem && sys != null && !sys.isEmpty()) {
            turns.add(0, new ChatTurn("system", sys));
        }
        return new GenerateRequest(null, turns, null, OllamaRequest.maxTokens(options),
                OllamaRequest.sampling(options, body.get("format"), defaults), OllamaRequest.stop(options, defaults), false);
    }
}
