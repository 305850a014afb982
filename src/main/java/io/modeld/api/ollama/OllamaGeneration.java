package io.modeld.api.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.Bodies;
import io.modeld.api.ClientConnection;
import io.modeld.api.ErrorStyle;
import io.modeld.api.Fields;
import io.modeld.api.MediaInputs;
import io.modeld.api.ToolCallFields;
import io.modeld.api.Ndjson;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.OllamaNames;
import io.modeld.engine.ChatRequest;
import io.modeld.engine.ChatTurn;
import io.modeld.gguf.ModelRole;
import io.modeld.inference.Answer;
import io.modeld.inference.GenerationRequest;
import io.modeld.inference.Inference;
import io.modeld.inference.ModelCapabilities;
import io.modeld.inference.Options;
import io.modeld.inference.Prompt;
import io.modeld.inference.TokenSink;
import io.modeld.inference.ToolSpecs;
import io.modeld.runtime.RunnerResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Ollama's {@code /api/generate} and {@code /api/chat}: parse, one call into {@link Inference}, shape as
 * NDJSON (unless {@code stream: false}) with Ollama's counters in nanoseconds and real tokens. An empty
 * prompt (or no messages) only loads the model ({@code done_reason: load}), or unloads it with
 * {@code keep_alive: 0} ({@code unload}). Prompts are formatted by the model's own chat template;
 * {@code raw} sends the prompt as it is, {@code suffix} asks a fill-in-the-middle model to fill the gap.
 */
final class OllamaGeneration {

    private final Inference inference;

    OllamaGeneration(Inference inference) {
        this.inference = inference;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/generate", ctx -> run(ctx, false));
        routes.post("/api/chat", ctx -> run(ctx, true));
    }

    private void run(Context ctx, boolean chat) {
        long start = System.nanoTime();
        JsonNode body = Bodies.json(ctx);
        String name = OllamaRequest.model(body);
        ModelRecord r = OllamaRoutes.local(inference, name);
        if (ModelRoles.of(r.spec()) != ModelRole.GENERATOR) {
            throw ModeldException.invalid("\"" + name + "\" does not support " + (chat ? "chat" : "generate"));
        }
        Duration keepAlive = OllamaRequest.keepAlive(body);
        Options options = OllamaRequest.options(body);
        Thinking think = Thinking.of(body.get("think"));
        ModelCapabilities caps = inference.checkedCapabilities(r);
        if (think.on() && !caps.thinking()) {
            throw ModeldException.invalid("\"" + name + "\" does not support thinking");
        }
        ArrayNode tools = ToolSpecs.of(body.get("tools"), "tools");
        if (tools != null && !caps.tools()) {
            throw ModeldException.invalid(OllamaNames.withTag(name) + " does not support tools");
        }
        Prompt prompt = chat ? chatPrompt(body, tools, think, MediaInputs.of(ctx))
                : generatePrompt(body, think, MediaInputs.of(ctx));
        boolean stream = Fields.bool(body, "stream", true);
        if (prompt == null) {
            loadOnly(ctx, r, name, chat, options, keepAlive, stream);
            return;
        }
        int logprobs = Fields.bool(body, "logprobs", false) ? (int) Fields.whole(body, "top_logprobs", 0, 0, 20) : -1;
        GenerationRequest request = new GenerationRequest(r.id(), prompt, options, keepAlive, false, logprobs);
        if (!stream) {
            Answer answer = new Answer(ClientConnection.gone(ctx));
            RunnerResult result = inference.generate(request, answer);
            ObjectNode out = chunk(name, chat, answer.text());
            withThinking(out, chat, answer.thinking());
            withToolCalls(out, answer);
            ctx.json(finish(out, result, start));
            return;
        }
        Ndjson lines = new Ndjson(ctx);
        Answer calls = new Answer();
        RunnerResult result;
        try {
            result = inference.generate(request, new TokenSink() {
                @Override
                public void text(String piece) {
                    lines.line(chunk(name, chat, piece).put("done", false));
                }

                @Override
                public void thinking(String piece) {
                    lines.line(withThinking(chunk(name, chat, ""), chat, piece).put("done", false));
                }

                @Override
                public void toolCall(ToolCallDelta d) {
                    calls.toolCall(d);
                }
            });
        } catch (ModeldException e) {
            lines.error(ErrorStyle.OLLAMA.describe(e));
            return;
        }
        if (!calls.toolCalls().isEmpty()) {
            lines.line(withToolCalls(chunk(name, chat, ""), calls).put("done", false));
        }
        lines.line(finish(chunk(name, chat, ""), result, start));
    }

    /** The model's reasoning, where Ollama puts it: the message's {@code thinking}, or generate's. */
    private static ObjectNode withThinking(ObjectNode c, boolean chat, String thinking) {
        if (!thinking.isEmpty()) {
            (chat ? (ObjectNode) c.get("message") : c).put("thinking", thinking);
        }
        return c;
    }

    /** The calls the model made, as Ollama sends them: whole, arguments as objects. */
    private static ObjectNode withToolCalls(ObjectNode c, Answer answer) {
        List<ChatTurn.ToolCall> calls = answer.toolCalls();
        if (calls.isEmpty() || !c.has("message")) {
            return c;
        }
        ArrayNode list = ((ObjectNode) c.get("message")).putArray("tool_calls");
        for (int i = 0; i < calls.size(); i++) {
            ChatTurn.ToolCall call = calls.get(i);
            ObjectNode f = list.addObject().put("id", call.id()).putObject("function").put("index", i)
                    .put("name", call.name());
            f.set("arguments", arguments(call.arguments()));
        }
        return c;
    }

    private static JsonNode arguments(String json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return n != null && n.isObject() ? n : Json.MAPPER.createObjectNode();
        } catch (java.io.IOException e) {
            return Json.MAPPER.createObjectNode();
        }
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

    /**
     * The last chunk. Log-probabilities, when asked ({@code logprobs}, {@code top_logprobs}), come whole with it as
     * {@code logprobs: [{token, logprob, bytes, top_logprobs}]}.
     */
    private static ObjectNode finish(ObjectNode last, RunnerResult r, long start) {
        if (r.logprobs() != null) {
            ArrayNode list = last.putArray("logprobs");
            r.logprobs().forEach(p -> list.add(io.modeld.api.LogprobFields.of(p)));
        }
        return last.put("done", true).put("done_reason", r.finish().ollama())
                .put("total_duration", System.nanoTime() - start).put("load_duration", r.loadNanos())
                .put("prompt_eval_count", r.evaluatedTokens()).put("prompt_eval_duration", r.promptNanos())
                .put("eval_count", r.tokens()).put("eval_duration", r.generateNanos());
    }

    /** An empty prompt: load the model (or unload it with keep_alive 0) and say so. */
    private void loadOnly(Context ctx, ModelRecord r, String name, boolean chat, Options options, Duration keepAlive,
                          boolean stream) {
        long start = System.nanoTime();
        boolean unload = keepAlive != null && keepAlive.isZero();
        if (unload) {
            inference.unload(r.id());
        } else {
            inference.load(r.id(), inference.loadOptions(r, options, keepAlive));
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

    /** What {@code /api/generate} asks for; null when it only loads the model. */
    private static Prompt generatePrompt(JsonNode body, Thinking think, MediaInputs media) {
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
        String images = images(body.get("images"), media, "images");
        if (!images.isEmpty() && (raw || suffix != null && !suffix.isEmpty())) {
            throw ModeldException.invalid("images: need the model's template (not raw mode, not a suffix)");
        }
        if (prompt.isEmpty() && (suffix == null || suffix.isEmpty())) {
            return null;
        }
        if (suffix != null && !suffix.isEmpty()) {
            return new Prompt.Text(prompt, suffix);
        }
        if (raw) {
            return new Prompt.Text(prompt, null);
        }
        List<ChatTurn> turns = new ArrayList<>();
        if (system != null && !system.isEmpty()) {
            turns.add(new ChatTurn(ChatTurn.Role.SYSTEM, system));
        }
        turns.add(new ChatTurn(ChatTurn.Role.USER, images + prompt));
        return new Prompt.Chat(new ChatRequest(turns, null, null, null, think.enabled(), think.effort(), null,
                media.items()));
    }

    /**
     * Ollama's {@code images} (base64, as its clients send them; a clip among them is audio, as Ollama reads it)
     * checked into {@code media}; their markers, which go before the message's text, as Ollama puts them.
     */
    private static String images(JsonNode images, MediaInputs media, String where) {
        if (images == null || images.isNull()) {
            return "";
        }
        if (!images.isArray()) {
            throw ModeldException.invalid(where + ": must be an array of base64-encoded images");
        }
        StringBuilder markers = new StringBuilder();
        for (int i = 0; i < images.size(); i++) {
            JsonNode image = images.get(i);
            if (!image.isTextual()) {
                throw ModeldException.invalid(where + "[" + i + "]: must be a base64-encoded image");
            }
            markers.append(media.imageOrAudio(image.textValue(), where + "[" + i + "]"));
        }
        return markers.toString();
    }

    /**
     * What {@code /api/chat} asks for; null when it only loads the model. Messages carry an assistant's
     * {@code thinking} and {@code tool_calls} (arguments as objects) and a tool's {@code tool_name}.
     */
    private static Prompt chatPrompt(JsonNode body, ArrayNode tools, Thinking think, MediaInputs media) {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull() || messages.isArray() && messages.isEmpty()) {
            return null;
        }
        if (!messages.isArray()) {
            throw ModeldException.invalid("messages: must be an array of {role, content}");
        }
        List<ChatTurn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            ChatTurn.Role role = ChatTurn.Role.of(Fields.text(m, "role", ""));
            if (role == null || Fields.text(m, "role", "").equalsIgnoreCase("developer")) {
                throw ModeldException.invalid("messages[" + i + "].role: must be system, user, assistant or tool");
            }
            String images = images(m.get("images"), media, "messages[" + i + "].images");
            turns.add(new ChatTurn(role, images + Fields.text(m, "content", ""), Fields.text(m, "thinking", null),
                    ToolCallFields.of(m.get("tool_calls"), i), Fields.text(m, "tool_call_id", null),
                    Fields.text(m, "tool_name", null)));
        }
        return new Prompt.Chat(new ChatRequest(turns, tools, null, null, think.enabled(), think.effort(), null,
                media.items()));
    }

    /**
     * Ollama's {@code think}: true or false, or how hard ("low", "medium", "high"; "max" as high); absent
     * leaves it to the template. The model's reasoning is always kept apart from its answer.
     */
    private record Thinking(Boolean enabled, String effort) {
        static Thinking of(JsonNode think) {
            if (think == null || think.isNull()) {
                return new Thinking(null, null);
            }
            if (think.isBoolean()) {
                return new Thinking(think.booleanValue(), null);
            }
            if (think.isTextual() && List.of("low", "medium", "high", "max").contains(think.textValue())) {
                return new Thinking(true, think.textValue().equals("max") ? "high" : think.textValue());
            }
            throw ModeldException.invalid("think: must be true, false, \"low\", \"medium\" or \"high\"");
        }

        boolean on() {
            return Boolean.TRUE.equals(enabled);
        }
    }
}
