package io.modeld.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.engine.ChatTurn;
import io.modeld.engine.Sampling;
import io.modeld.runtime.GenerateRequest;
import io.modeld.runtime.GenerateResult;
import io.modeld.runtime.RunnerRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * OpenAI's {@code /v1}: completions and chat completions (streamed as server-sent events with
 * {@code stream: true}) and the model list. Models are named by id or unique name; a downloaded model
 * that is not loaded is loaded first, within the memory budget. Errors come in OpenAI's shape
 * ({@link ErrorStyle#OPENAI}); {@code usage} counts tokens with the model's tokenizer.
 */
final class OpenAiRoutes {

    private static final int DEFAULT_MAX_TOKENS = 256;
    private static final int MAX_TOKENS_LIMIT = 131_072;

    private final ModelService models;
    private final RunnerRuntime runtime;

    OpenAiRoutes(ModelService models, RunnerRuntime runtime) {
        this.models = models;
        this.runtime = runtime;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/models", this::list);
        routes.get("/v1/models/{model}", this::one);
        routes.post("/v1/completions", ctx -> complete(ctx, false));
        routes.post("/v1/chat/completions", ctx -> complete(ctx, true));
    }

    private void list(Context ctx) {
        ArrayNode data = Json.MAPPER.createArrayNode();
        for (ModelRecord r : models.list()) {
            if (r.downloaded()) {
                data.add(model(r));
            }
        }
        ObjectNode out = Json.MAPPER.createObjectNode().put("object", "list");
        out.set("data", data);
        ctx.json(out);
    }

    private void one(Context ctx) {
        ModelRecord r = models.get(ctx.pathParam("model"));
        ctx.json(model(r));
    }

    private static ObjectNode model(ModelRecord r) {
        return Json.MAPPER.createObjectNode().put("id", r.spec().unique() != null ? r.spec().unique() : r.id())
                .put("object", "model").put("created", r.created().getEpochSecond()).put("owned_by", "modeld")
                .put("role", ModelRoles.of(r.spec()).wire());
    }

    private void complete(Context ctx, boolean chat) throws IOException {
        JsonNode body = Bodies.json(ctx);
        String name = Fields.requiredText(body, "model", "a model id or unique name");
        ModelRecord record = models.get(name);
        if (Fields.whole(body, "n", 1, 1, 1) != 1) {
            throw ModeldException.invalid("n: only 1 is supported");
        }
        GenerateRequest request = new GenerateRequest(chat ? null : Fields.requiredText(body, "prompt", "a string"),
                chat ? messages(body) : null, null, maxTokens(body), sampling(body), Fields.strings(body, "stop", 4),
                Fields.bool(body, "ignore_eos", false));
        String id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID();
        long created = System.currentTimeMillis() / 1000;
        if (Fields.bool(body, "stream", false)) {
            boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
            streamed(ctx, chat, record, request, new Envelope(id, created, name), usage);
            return;
        }
        StringBuilder text = new StringBuilder();
        GenerateResult result = runtime.generate(record.id(), RunnerRuntime.LoadOptions.DEFAULT, request, text::append);
        ObjectNode out = new Envelope(id, created, name).of(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) {
            choice.putObject("message").put("role", "assistant").put("content", text.toString());
        } else {
            choice.put("text", text.toString());
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", result.finish().wire());
        out.set("usage", usage(result));
        ctx.json(out);
    }

    /** The fields every object of one answer shares. */
    private record Envelope(String id, long created, String model) {
        ObjectNode of(String object) {
            return Json.MAPPER.createObjectNode().put("id", id).put("object", object).put("created", created)
                    .put("model", model).put("system_fingerprint", "modeld");
        }
    }

    private static ObjectNode usage(GenerateResult r) {
        return Json.MAPPER.createObjectNode().put("prompt_tokens", r.promptTokens())
                .put("completion_tokens", r.tokens()).put("total_tokens", r.promptTokens() + r.tokens());
    }

    private void streamed(Context ctx, boolean chat, ModelRecord record, GenerateRequest request, Envelope e,
                          boolean includeUsage) throws IOException {
        ctx.status(200).contentType("text/event-stream; charset=utf-8").header("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        String object = chat ? "chat.completion.chunk" : "text_completion";
        if (chat) {
            ObjectNode first = e.of(object);
            ObjectNode choice = first.putArray("choices").addObject().put("index", 0);
            choice.putObject("delta").put("role", "assistant").put("content", "");
            choice.putNull("finish_reason");
            event(out, first);
        }
        GenerateResult result;
        try {
            result = runtime.generate(record.id(), RunnerRuntime.LoadOptions.DEFAULT, request,
                    piece -> event(out, chunk(chat, e.of(object), piece, null)));
        } catch (ModeldException failure) {
            ObjectNode error = Json.MAPPER.createObjectNode();
            error.set("error", ErrorStyle.openAiError(ErrorStyle.OPENAI.status(failure.kind()), failure.getMessage(),
                    failure.kind()));
            event(out, error);
            done(out);
            return;
        }
        event(out, chunk(chat, e.of(object), null, result.finish().wire()));
        if (includeUsage) {
            ObjectNode usage = e.of(object);
            usage.putArray("choices");
            usage.set("usage", usage(result));
            event(out, usage);
        }
        done(out);
    }

    private static ObjectNode chunk(boolean chat, ObjectNode c, String piece, String finish) {
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

    private static void event(OutputStream out, JsonNode data) {
        try {
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void done(OutputStream out) throws IOException {
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static List<ChatTurn> messages(JsonNode body) {
        JsonNode m = body.get("messages");
        if (m == null || !m.isArray() || m.isEmpty()) {
            throw ModeldException.invalid("messages: required, a non-empty array of {role, content}");
        }
        List<ChatTurn> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            JsonNode role = m.get(i).get("role");
            String r = role != null && role.isTextual() ? role.textValue() : "";
            if (!List.of("system", "developer", "user", "assistant", "tool").contains(r)) {
                throw ModeldException.invalid("messages[" + i + "].role: must be system, developer, user, assistant or tool");
            }
            out.add(new ChatTurn(r.equals("developer") ? "system" : r, content(m.get(i).get("content"), i)));
        }
        return out;
    }

    /** A message's content: a string, or an array of text parts (images are not understood by text models). */
    private static String content(JsonNode content, int i) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                String type = part.path("type").asText();
                if (!type.equals("text")) {
                    throw ModeldException.invalid("messages[" + i + "].content: a '" + type + "' part needs a model "
                            + "that reads it; these models read text parts only");
                }
                text.append(part.path("text").asText());
            }
            return text.toString();
        }
        throw ModeldException.invalid("messages[" + i + "].content: must be a string or an array of text parts");
    }

    private static int maxTokens(JsonNode body) {
        String field = Fields.has(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        return (int) Fields.whole(body, field, DEFAULT_MAX_TOKENS, 1, MAX_TOKENS_LIMIT);
    }

    /** OpenAI's sampling fields, and llama.cpp's extras (top_k, min_p, repeat_penalty, grammar). */
    private static Sampling sampling(JsonNode body) {
        Sampling d = Sampling.DEFAULT;
        String grammar = Fields.text(body, "grammar", null);
        JsonNode format = body.get("response_format");
        if (format != null && !format.isNull()) {
            String type = format.path("type").asText();
            switch (type) {
                case "text" -> { }
                case "json_object" -> grammar = JsonGrammar.OBJECT;
                case "json_schema" -> grammar = JsonSchemaGrammar.of(format.path("json_schema").path("schema"),
                        "response_format.json_schema.schema");
                default -> throw ModeldException.invalid("response_format.type: must be text, json_object or json_schema");
            }
        }
        return new Sampling((float) Fields.number(body, "temperature", d.temperature(), 0, 2),
                (int) Fields.whole(body, "top_k", d.topK(), 0, 1000),
                (float) Fields.number(body, "top_p", d.topP(), 0, 1),
                (float) Fields.number(body, "min_p", d.minP(), 0, 1), d.typicalP(),
                Fields.whole(body, "seed", -1, -1, 0xFFFFFFFEL),
                (float) Fields.number(body, "repeat_penalty", d.repeatPenalty(), 0, 2), d.repeatLastN(),
                (float) Fields.number(body, "presence_penalty", d.presencePenalty(), -2, 2),
                (float) Fields.number(body, "frequency_penalty", d.frequencyPenalty(), -2, 2), grammar);
    }
}
