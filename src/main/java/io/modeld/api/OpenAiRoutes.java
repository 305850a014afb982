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
import io.modeld.runtime.RunnerMessages;
import io.modeld.runtime.RunnerRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Inference in the OpenAI shape, so that a load can be seen to work: {@code /v1/completions},
 * {@code /v1/chat/completions} (both with {@code stream: true} as server-sent events) and
 * {@code /v1/models}. The model is named by id or unique name; a downloaded model that is not loaded is
 * loaded first, within the memory budget.
 */
final class OpenAiRoutes {

    private static final int DEFAULT_MAX_TOKENS = 256;
    private static final int MAX_TOKENS_LIMIT = 32_768;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private final ModelService models;
    private final RunnerRuntime runtime;

    OpenAiRoutes(ModelService models, RunnerRuntime runtime) {
        this.models = models;
        this.runtime = runtime;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/models", this::list);
        routes.post("/v1/completions", ctx -> complete(ctx, false));
        routes.post("/v1/chat/completions", ctx -> complete(ctx, true));
    }

    private void list(Context ctx) {
        ArrayNode data = Json.MAPPER.createArrayNode();
        for (ModelRecord r : models.list()) {
            if (r.downloaded()) {
                data.addObject().put("id", r.spec().unique() != null ? r.spec().unique() : r.id())
                        .put("object", "model").put("created", r.created().getEpochSecond()).put("owned_by", "modeld");
            }
        }
        ObjectNode out = Json.MAPPER.createObjectNode().put("object", "list");
        out.set("data", data);
        ctx.json(out);
    }

    private void complete(Context ctx, boolean chat) throws IOException {
        JsonNode body = Bodies.json(ctx);
        JsonNode modelField = body.get("model");
        if (modelField == null || !modelField.isTextual()) {
            throw ModeldException.invalid("model: required, a model id or unique name");
        }
        ModelRecord record = models.get(modelField.textValue());
        RunnerMessages.Request request = RunnerMessages.Request.generate(
                chat ? null : prompt(body), chat ? messages(body) : null, maxTokens(body),
                (float) number(body, "temperature", 0.8, 0, 2), (int) number(body, "seed", -1, -1, Integer.MAX_VALUE),
                stops(body), body.path("ignore_eos").asBoolean(false));
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID();
        long created = System.currentTimeMillis() / 1000;
        String name = modelField.textValue();
        boolean stream = body.path("stream").asBoolean(false);
        if (stream) {
            streamed(ctx, chat, record, request, id, created, name);
            return;
        }
        StringBuilder text = new StringBuilder();
        int tokens = runtime.generate(record.id(), request, text::append);
        ObjectNode out = envelope(chat ? "chat.completion" : "text_completion", id, created, name);
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) {
            choice.putObject("message").put("role", "assistant").put("content", text.toString());
        } else {
            choice.put("text", text.toString());
        }
        choice.put("finish_reason", tokens >= request.maxTokens() ? "length" : "stop");
        out.putObject("usage").put("completion_tokens", tokens);
        ctx.json(out);
    }

    private void streamed(Context ctx, boolean chat, ModelRecord record, RunnerMessages.Request request, String id,
                          long created, String name) throws IOException {
        ctx.status(200).contentType("text/event-stream; charset=utf-8").header("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        String object = chat ? "chat.completion.chunk" : "text_completion";
        int tokens;
        try {
            tokens = runtime.generate(record.id(), request, piece -> event(out, chunk(chat, object, id, created, name,
                    piece, null)));
        } catch (ModeldException e) {
            ObjectNode error = Json.MAPPER.createObjectNode();
            error.putObject("error").put("message", e.getMessage()).put("code", e.kind().status);
            event(out, error);
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        event(out, chunk(chat, object, id, created, name, null, tokens >= request.maxTokens() ? "length" : "stop"));
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static ObjectNode chunk(boolean chat, String object, String id, long created, String name, String piece,
                                    String finish) {
        ObjectNode c = envelope(object, id, created, name);
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (piece != null) {
                delta.put("content", piece);
            }
        } else {
            choice.put("text", piece == null ? "" : piece);
        }
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return c;
    }

    private static ObjectNode envelope(String object, String id, long created, String name) {
        return Json.MAPPER.createObjectNode().put("id", id).put("object", object).put("created", created)
                .put("model", name);
    }

    private static void event(OutputStream out, JsonNode data) {
        try {
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String prompt(JsonNode body) {
        JsonNode p = body.get("prompt");
        if (p == null || !p.isTextual()) {
            throw ModeldException.invalid("prompt: required, a string");
        }
        return p.textValue();
    }

    private static List<RunnerMessages.Message> messages(JsonNode body) {
        JsonNode m = body.get("messages");
        if (m == null || !m.isArray() || m.isEmpty()) {
            throw ModeldException.invalid("messages: required, a non-empty array of {role, content}");
        }
        List<RunnerMessages.Message> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            JsonNode role = m.get(i).get("role");
            JsonNode content = m.get(i).get("content");
            if (role == null || !role.isTextual() || !ROLES.contains(role.textValue())) {
                throw ModeldException.invalid("messages[" + i + "].role: must be system, user or assistant");
            }
            if (content == null || !content.isTextual()) {
                throw ModeldException.invalid("messages[" + i + "].content: must be a string");
            }
            out.add(new RunnerMessages.Message(role.textValue(), content.textValue()));
        }
        return out;
    }

    private static int maxTokens(JsonNode body) {
        return (int) number(body, "max_tokens", DEFAULT_MAX_TOKENS, 1, MAX_TOKENS_LIMIT);
    }

    private static double number(JsonNode body, String field, double fallback, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || v.doubleValue() < min || v.doubleValue() > max) {
            throw ModeldException.invalid(field + ": must be a number from " + (long) min + " to " + (long) max);
        }
        return v.doubleValue();
    }

    private static List<String> stops(JsonNode body) {
        JsonNode s = body.get("stop");
        if (s == null || s.isNull()) {
            return List.of();
        }
        if (s.isTextual()) {
            return List.of(s.textValue());
        }
        if (s.isArray() && s.size() <= 4) {
            List<String> out = new ArrayList<>();
            for (JsonNode v : s) {
                if (!v.isTextual()) {
                    throw ModeldException.invalid("stop: must be a string or up to 4 strings");
                }
                out.add(v.textValue());
            }
            return out;
        }
        throw ModeldException.invalid("stop: must be a string or up to 4 strings");
    }
}
