package io.modeld.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A conversation run as llama-server runs it: the model's own template renders it (tools, tool results,
 * thinking), llama-server's sampler constrains the output with the template's grammar (forced when a tool
 * must be called, lazy until its trigger otherwise), the template's preserved tokens are shown to the
 * output parser, and the parser splits what comes into the answer, the reasoning and the tool calls.
 */
public final class TemplatedChat {

    private TemplatedChat() {
    }

    /** The prompt {@code chat} renders to. */
    public static String render(ChatTemplates templates, ChatRequest chat) throws EngineException {
        return templates.apply(chat.toJson().toString()).path("prompt").asText();
    }

    /**
     * The job of generating the assistant's next message, for {@link Generator#start}. {@code sampling.grammar()},
     * when set (a response format), takes the place of the template's grammar. At the end {@code done} gets the
     * result, {@link Generation.Finish#TOOL_CALLS} when the model called tools and stopped; the job's sampler
     * and parser are freed then, or on failure.
     */
    public static Generation.Job job(long id, LlamaModel model, ChatLayer layer, ChatTemplates templates, ChatRequest chat,
                                    int maxTokens, Sampling sampling, List<String> stop, boolean ignoreEos, int logprobs,
                                    OutputSplitter.Parts parts, BooleanSupplier abandon,
                                    Consumer<Generation.Result> done, Consumer<EngineException> failed)
            throws EngineException {
        return job(id, model, layer, templates, null, chat, maxTokens, sampling, stop, ignoreEos, logprobs, parts, abandon,
                done, failed);
    }

    /**
     * The same for a model with a {@code projector} (null for none): the conversation's images and audio become
     * embeddings among the prompt's tokens, as llama-server tokenizes them. INPUT when it holds media and the model
     * has no projector, or the projector cannot read an item.
     */
    public static Generation.Job job(long id, LlamaModel model, ChatLayer layer, ChatTemplates templates,
                                    Projector projector, ChatRequest chat, int maxTokens, Sampling sampling,
                                    List<String> stop, boolean ignoreEos, int logprobs, OutputSplitter.Parts parts,
                                    BooleanSupplier abandon, Consumer<Generation.Result> done,
                                    Consumer<EngineException> failed) throws EngineException {
        if (chat.hasMedia() && projector == null) {
            throw new EngineException(EngineException.Kind.INPUT, "the conversation holds images or audio, but this "
                    + "model reads text only (it has no projector)");
        }
        if (Boolean.FALSE.equals(chat.parallelToolCalls()) && chat.offersTools()) {
            OneToolCall one = new OneToolCall(parts);
            parts = one;
            abandon = one.or(abandon);
        }
        JsonNode applied = templates.apply(chat.toJson().toString());
        MediaPrompt media = chat.hasMedia() ? projector.tokenize(applied.path("prompt").asText(), chat.media()) : null;
        try {
            return job(id, model, layer, chat, applied, media, maxTokens, sampling, stop, ignoreEos, logprobs, parts,
                    abandon, done, failed);
        } catch (EngineException | RuntimeException e) {
            if (media != null) {
                media.close();
            }
            throw e;
        }
    }

    private static Generation.Job job(long id, LlamaModel model, ChatLayer layer, ChatRequest chat, JsonNode applied,
                                      MediaPrompt media, int maxTokens, Sampling sampling, List<String> stop,
                                      boolean ignoreEos, int logprobs, OutputSplitter.Parts parts, BooleanSupplier abandon,
                                      Consumer<Generation.Result> done, Consumer<EngineException> failed)
            throws EngineException {
        int[] prompt = media != null ? media.tokens()
                : withBos(model, model.tokenize(applied.path("prompt").asText(), false, true));
        List<String> stops = new ArrayList<>(stop == null ? List.of() : stop);
        applied.path("additional_stops").forEach(s -> stops.add(s.asText()));
        Set<Integer> shown = new HashSet<>();
        applied.path("preserved_tokens").forEach(t -> {
            int[] ids = model.tokenize(t.asText(), false, true);
            if (ids.length == 1) {
                shown.add(ids[0]);
            }
        });
        boolean tools = chat.offersTools();
        TokenSampler sampler = layer.sampler(model, settings(sampling, ignoreEos, applied, tools));
        OutputSplitter splitter;
        try {
            splitter = new OutputSplitter(layer.parser(applied.toString(), true, tools), parts);
        } catch (EngineException | RuntimeException e) {
            sampler.close();
            throw e;
        }
        return new Generation.Job(id, new Generation.Request(prompt, maxTokens, sampling, stops, ignoreEos, logprobs,
                false, media), sampler, shown::contains, splitter, abandon, r -> {
                    boolean called = splitter.finish();
                    sampler.close();
                    splitter.close();
                    if (media != null) {
                        media.close();
                    }
                    // a call cut short by the token limit ends as "length", as OpenAI ends it
                    boolean stopped = r.finish() == Generation.Finish.STOP;
                    done.accept(called && stopped ? new Generation.Result(r.promptTokens(), r.reusedTokens(),
                            r.tokens(), Generation.Finish.TOOL_CALLS, r.promptNanos(), r.generateNanos(), null, r.logprobs()) : r);
                }, e -> {
                    sampler.close();
                    splitter.close();
                    if (media != null) {
                        media.close();
                    }
                    failed.accept(e);
                });
    }

    /** llama-server's sampler settings: the request's sampling and the template's grammar, unless a format replaces it. */
    private static ObjectNode settings(Sampling s, boolean ignoreEos, JsonNode applied, boolean tools) {
        ObjectNode o = s.withGrammar(null).settings(ignoreEos);
        String grammar = applied.path("grammar").asText("");
        if (s.grammar() != null && !s.grammar().isBlank() && !tools) {
            o.put("grammar", s.grammar());
        } else if (!grammar.isEmpty()) {
            o.put("grammar", grammar).put("grammar_from_template", true)
                    .put("grammar_lazy", applied.path("grammar_lazy").asBoolean())
                    .put("generation_prompt", applied.path("generation_prompt").asText(""));
            o.set("grammar_triggers", applied.path("grammar_triggers"));
        }
        o.set("preserved_tokens", applied.path("preserved_tokens"));
        return o;
    }

    /** The model's BOS in front of a rendered prompt, unless its template already wrote it. */
    public static int[] withBos(LlamaModel m, int[] tokens) {
        int[] withBos = m.tokenize("", true, false);
        if (withBos.length == 1 && (tokens.length == 0 || tokens[0] != withBos[0])) {
            int[] all = new int[tokens.length + 1];
            all[0] = withBos[0];
            System.arraycopy(tokens, 0, all, 1, tokens.length);
            return all;
        }
        return tokens;
    }
}
