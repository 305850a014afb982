package io.modeld.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.Bodies;
import io.modeld.api.MediaInputs;
import io.modeld.api.ClientConnection;
import io.modeld.api.ErrorStyle;
import io.modeld.api.Fields;
import io.modeld.api.Sse;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.engine.ChatTurn;
import io.modeld.inference.Answer;
import io.modeld.inference.GenerationRequest;
import io.modeld.inference.Inference;
import io.modeld.inference.ModelCapabilities;
import io.modeld.inference.Prompt;
import io.modeld.inference.TokenSink;
import io.modeld.runtime.RunnerResult;
import java.util.List;
import java.util.UUID;

/**
 * OpenAI's {@code /v1}: completions and chat completions (streamed as server-sent events with
 * {@code stream: true}) and the model list; parse, one call into {@link Inference}, shape. OpenAI's own
 * bounds are this door's policy: temperature 0 to 2, penalties -2 to 2, at most 4 stop strings, {@code n}
 * 1; llama.cpp's extras ({@code top_k}, {@code min_p}, {@code repeat_penalty}, {@code grammar},
 * {@code ignore_eos}) are read too. What is not said comes from the model's Modelfile, then the defaults.
 */
public final class OpenAiRoutes {


    private final ModelService models;
    private final Inference inference;

    public OpenAiRoutes(ModelService models, Inference inference) {
        this.models = models;
        this.inference = inference;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/models", this::list);
        routes.get("/v1/models/{model}", ctx -> ctx.json(model(inference.model(ctx.pathParam("model")))));
        routes.post("/v1/completions", ctx -> complete(ctx, false));
        routes.post("/v1/chat/completions", ctx -> complete(ctx, true));
        routes.post("/apply-template", this::applyTemplate);
        new OpenAiEmbeddings(inference).register(routes);
        new TokenRoutes(inference).register(routes);
        new TranscriptionRoutes(inference).register(routes);
    }

    private void list(Context ctx) {
        ArrayNode data = Json.MAPPER.createArrayNode();
        for (ModelRecord r : models.list()) {
            if (r.usable()) {
                data.add(model(r));
            }
        }
        ObjectNode out = Json.MAPPER.createObjectNode().put("object", "list");
        out.set("data", data);
        ctx.json(out);
    }

    /** An entry of the model list, with modeld's extensions: the model's role and capabilities (as Ollama names them). */
    private ObjectNode model(ModelRecord r) {
        ObjectNode m = Json.MAPPER.createObjectNode().put("id", r.spec().unique() != null ? r.spec().unique() : r.id())
                .put("object", "model").put("created", r.created().getEpochSecond()).put("owned_by", "modeld")
                .put("role", ModelRoles.of(r.spec()).wire());
        if (r.remote() != null) {
            m.put("remote_model", r.remote().model()).put("remote_host", r.remote().host());
        }
        if (r.usable()) {
            ModelCapabilities caps = inference.capabilities(r);
            caps.ollama().forEach(m.putArray("capabilities")::add);
            if (caps.problem() != null) {
                m.put("unusable", caps.problem());
            }
        }
        return m;
    }

    private void complete(Context ctx, boolean chat) {
        JsonNode body = Bodies.json(ctx);
        String name = Fields.requiredText(body, "model", "a model id or unique name");
        if (Fields.whole(body, "n", 1, 1, 1) != 1) {
            throw ModeldException.invalid("n: only 1 is supported");
        }
        Prompt prompt = chat ? new Prompt.Chat(OpenAiRequests.chat(body, MediaInputs.of(ctx)))
                : new Prompt.Text(Fields.requiredText(body, "prompt", "a string"), null);
        GenerationRequest request = new GenerationRequest(name, prompt, OpenAiRequests.options(body), null,
                Fields.bool(body, "ignore_eos", false), OpenAiLogprobs.requested(body, chat));
        Envelope e = new Envelope((chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID(), System.currentTimeMillis() / 1000,
                name, chat);
        if (Fields.bool(body, "stream", false)) {
            streamed(ctx, request, e, body.path("stream_options").path("include_usage").asBoolean(false));
            return;
        }
        Answer answer = new Answer(ClientConnection.gone(ctx));
        RunnerResult result = inference.generate(request, answer);
        ObjectNode out = e.of(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) {
            ObjectNode message = choice.putObject("message").put("role", "assistant");
            List<ChatTurn.ToolCall> calls = answer.toolCalls();
            if (calls.isEmpty() || !answer.text().isEmpty()) {
                message.put("content", answer.text());
            } else {
                message.putNull("content");
            }
            if (!answer.thinking().isEmpty()) {
                message.put("reasoning_content", answer.thinking());
            }
            if (!calls.isEmpty()) {
                ArrayNode list = message.putArray("tool_calls");
                for (ChatTurn.ToolCall c : calls) {
                    list.addObject().put("id", c.id()).put("type", "function").putObject("function")
                            .put("name", c.name()).put("arguments", c.arguments());
                }
            }
        } else {
            choice.put("text", answer.text());
        }
        choice.set("logprobs", OpenAiLogprobs.of(result.logprobs(), chat));
        choice.put("finish_reason", result.finish().wire());
        out.set("usage", usage(result));
        ctx.json(out);
    }

    /**
     * llama-server's {@code POST /apply-template}: the prompt a chat request becomes with the model's own
     * template (its tools, tool results and thinking), without generating; {@code {"prompt": ...}}.
     */
    private void applyTemplate(Context ctx) {
        JsonNode body = Bodies.json(ctx);
        String name = Fields.requiredText(body, "model", "a model id or unique name");
        String prompt = inference.render(new GenerationRequest(name, new Prompt.Chat(OpenAiRequests.chat(body, MediaInputs.of(ctx))), OpenAiRequests.options(body), null,
                false));
        ctx.json(Json.MAPPER.createObjectNode().put("prompt", prompt));
    }

    /** The fields every object of one answer shares. */
    private record Envelope(String id, long created, String model, boolean chat) {
        ObjectNode of(String object) {
            return Json.MAPPER.createObjectNode().put("id", id).put("object", object).put("created", created)
                    .put("model", model).put("system_fingerprint", "modeld");
        }

        ObjectNode chunk(String piece, String finish) {
            ObjectNode c = of(chat ? "chat.completion.chunk" : "text_completion");
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
    }

    private static ObjectNode usage(RunnerResult r) {
        ObjectNode usage = Json.MAPPER.createObjectNode().put("prompt_tokens", r.promptTokens())
                .put("completion_tokens", r.tokens()).put("total_tokens", r.promptTokens() + r.tokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", r.cachedTokens());
        return usage;
    }

    private void streamed(Context ctx, GenerationRequest request, Envelope e, boolean includeUsage) {
        Sse events = new Sse(ctx);
        if (e.chat()) {
            ObjectNode first = e.chunk(null, null);
            ((ObjectNode) first.get("choices").get(0).get("delta")).put("role", "assistant").put("content", "");
            events.event(first);
        }
        RunnerResult result;
        try {
            result = inference.generate(request, new TokenSink() {
                private boolean started;

                @Override
                public void started(int promptTokens, int cachedTokens) {
                    started = true;
                }

                @Override
                public void waiting() {
                    if (started) {
                        events.comment();
                    }
                }

                @Override
                public void text(String piece) {
                    events.event(e.chunk(piece, null));
                }

                @Override
                public void thinking(String piece) {
                    ObjectNode c = e.chunk(null, null);
                    ((ObjectNode) c.get("choices").get(0).get("delta")).put("reasoning_content", piece);
                    events.event(c);
                }

                @Override
                public void toolCall(ToolCallDelta d) {
                    ObjectNode c = e.chunk(null, null);
                    ObjectNode call = ((ObjectNode) c.get("choices").get(0).get("delta")).putArray("tool_calls")
                            .addObject().put("index", d.index());
                    if (d.id() != null) {
                        call.put("id", d.id()).put("type", "function");
                    }
                    ObjectNode f = call.putObject("function");
                    if (d.name() != null) {
                        f.put("name", d.name());
                    }
                    f.put("arguments", d.arguments() == null ? "" : d.arguments());
                    events.event(c);
                }
            });
        } catch (ModeldException failure) {
            ObjectNode error = Json.MAPPER.createObjectNode();
            error.set("error", ErrorStyle.openAiError(ErrorStyle.OPENAI.status(failure.kind()),
                    ErrorStyle.OPENAI.describe(failure), failure.kind()));
            events.event(error);
            events.done();
            return;
        }
        ObjectNode last = e.chunk(null, result.finish().wire());
        if (result.logprobs() != null) {
            ((ObjectNode) last.get("choices").get(0)).set("logprobs", OpenAiLogprobs.of(result.logprobs(), e.chat()));
        }
        events.event(last);
        if (includeUsage) {
            ObjectNode usage = e.of(e.chat() ? "chat.completion.chunk" : "text_completion");
            usage.putArray("choices");
            usage.set("usage", usage(result));
            events.event(usage);
        }
        events.done();
    }

    /**
     * The conversation: messages (an assistant's {@code tool_calls} and {@code reasoning_content} or
     * {@code reasoning}, a tool's {@code tool_call_id}), {@code tools}, {@code tool_choice},
     * {@code parallel_tool_calls}, and {@code reasoning_effort} ("none" turns thinking off).
     */
}
