package io.modeld.runtime;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.modeld.engine.ChatRequest;
import java.util.List;

/**
 * What the daemon and a runner say to each other: one JSON object per line, requests on the runner's
 * standard input (named by {@code op}), events on its standard output (named by {@code event}), each with
 * the {@value #ID} of its request.
 * Vectors travel as base64 of little-endian float32, four times smaller than JSON numbers.
 */
final class RunnerMessages {

    /**
     * The field that names a request, in it and in each of its events: several generations run at once,
     * and their events interleave.
     */
    static final String ID = "request";

    private RunnerMessages() {
    }

    /** A request to the runner. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
    @JsonSubTypes({@JsonSubTypes.Type(value = Load.class, name = "load"),
            @JsonSubTypes.Type(value = Unload.class, name = "unload"),
            @JsonSubTypes.Type(value = RunnerRequest.class, name = "generate"),
            @JsonSubTypes.Type(value = Stop.class, name = "stop"),
            @JsonSubTypes.Type(value = Embed.class, name = "embed"),
            @JsonSubTypes.Type(value = Rerank.class, name = "rerank"),
            @JsonSubTypes.Type(value = Render.class, name = "render"),
            @JsonSubTypes.Type(value = Tokenize.class, name = "tokenize"),
            @JsonSubTypes.Type(value = Caps.class, name = "caps"),
            @JsonSubTypes.Type(value = Slots.class, name = "slots")})
    sealed interface Request permits Load, Unload, RunnerRequest, Stop, Embed, Rerank, Render, Tokenize, Caps, Slots {
    }

    /**
     * llama-server's slot API on the loaded generator: {@code action} {@code list}, or {@code save},
     * {@code restore} or {@code erase} of slot {@code slot} with {@code file} (a path the daemon chose in its
     * folder); answered with {@link SlotsOut}.
     */
    record Slots(String action, int slot, String file) implements Request {
    }

    /** The slots as they are after a {@link Slots} request, and the tokens and bytes its action moved. */
    record SlotsOut(List<io.modeld.engine.SlotFiles.SlotState> slots, long tokens, long bytes) implements Event {
    }

    /**
     * Load a model (its files: one, or the parts of a split model) for {@code role}; a generator with
     * {@code parallel} slots of {@code context} tokens each. {@code stepMillis} limits each step of the
     * requests to come ({@link StepWatch}; 0 keeps the runner's); {@code memoryBytes}, when above 0, the memory
     * the runner may take more from now; a generator's KV cache of {@code kvType} with {@code flashAttention}
     * ({@link io.modeld.engine.KvCache}; null: the defaults), its prompt cache ({@code cache}; null: none), and
     * whether it drafts tokens (by n-gram lookup, and with the draft model in {@code draftFiles} when not empty).
     */
    record Load(List<String> files, int context, int threads, String role, boolean meanPooling, int parallel,
                long stepMillis, long memoryBytes, String kvType, String flashAttention,
                io.modeld.engine.PromptCache.Settings cache, boolean draft, List<String> draftFiles, String projector,
                io.modeld.engine.Placement placement) implements Request {
    }

    /** Free the model; the runner stays for the next one. */
    record Unload() implements Request {
    }

    /**
     * The prompt the loaded model's chat template makes of a conversation, and with {@code count} its length in
     * tokens as a generation would count it; answered with {@link RenderedPrompt}.
     */
    record Render(ChatRequest chat, boolean count) implements Request {
    }

    /**
     * The loaded model's tokens of {@code content} (llama-server's {@code /tokenize}), or, when {@code tokens} is
     * given, the text of those tokens ({@code /detokenize}); answered with {@link TokenText}.
     */
    record Tokenize(String content, boolean addSpecial, boolean parseSpecial, int[] tokens) implements Request {
    }

    /**
     * What a chat template can do (no model needed: its source and the BOS and EOS text); answered with
     * {@link CapsOut}. With {@code memoryBytes}, the runner first limits itself to that much more memory.
     */
    record Caps(String template, String bos, String eos, long stepMillis, long memoryBytes) implements Request {
    }

    /**
     * End a generation early: the id is the generation's. It answers with its usual "done" (at once when it
     * was still waiting for a slot). Never answered by itself.
     */
    record Stop() implements Request {
    }

    /** Embed texts, or token ids when {@code tokens} is given; cut inputs to the context when {@code truncate}. */
    record Embed(List<String> inputs, List<int[]> tokens, boolean truncate) implements Request {
    }

    /** Score each document against the query. */
    record Rerank(String query, List<String> documents, boolean truncate) implements Request {
    }

    /** An event from the runner. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
    @JsonSubTypes({@JsonSubTypes.Type(value = Ready.class, name = "ready"),
            @JsonSubTypes.Type(value = Loaded.class, name = "loaded"),
            @JsonSubTypes.Type(value = Unloaded.class, name = "unloaded"),
            @JsonSubTypes.Type(value = Started.class, name = "started"),
            @JsonSubTypes.Type(value = Token.class, name = "token"),
            @JsonSubTypes.Type(value = Thought.class, name = "thought"),
            @JsonSubTypes.Type(value = ToolCall.class, name = "tool_call"),
            @JsonSubTypes.Type(value = RunnerResult.class, name = "done"),
            @JsonSubTypes.Type(value = RenderedPrompt.class, name = "rendered"),
            @JsonSubTypes.Type(value = TokenText.class, name = "tokens"),
            @JsonSubTypes.Type(value = CapsOut.class, name = "caps"),
            @JsonSubTypes.Type(value = VectorsOut.class, name = "vectors"),
            @JsonSubTypes.Type(value = Failed.class, name = "error"),
            @JsonSubTypes.Type(value = Beat.class, name = "beat"),
            @JsonSubTypes.Type(value = Ending.class, name = "ending"),
            @JsonSubTypes.Type(value = Died.class, name = "died"),
            @JsonSubTypes.Type(value = SlotsOut.class, name = "slots")})
    sealed interface Event permits Ready, Loaded, Unloaded, Started, Token, Thought, ToolCall, RunnerResult,
            RenderedPrompt, TokenText, CapsOut, VectorsOut, Failed, Beat, Ending, Died, SlotsOut {
    }

    /** The runner is about to end (a step ran past its deadline): it takes no more requests (id 0). */
    record Ending() implements Event {
    }

    /** The runner lives, though one of its steps has taken a while (id 0). */
    record Beat() implements Event {
    }

    /** The engine is up: its version, the GPUs it found and the line that says which backend serves and why. */
    record Ready(String version, List<io.modeld.engine.Device> devices, String gpuNote) implements Event {
    }

    /** The model is in: the context it got, its vector size and trained context. */
    /** What a load made; {@code draftProblem} why the draft model asked for was not used (null: it was, or none). */
    record Loaded(int context, int embeddingSize, int trainedContext, String draftProblem, String mediaProblem,
                  io.modeld.engine.Placement placement, String gpuProblem) implements Event {
    }

    record Unloaded() implements Event {
    }

    /** A generation took its slot: its prompt fits; {@code cachedTokens} of it were in the slot's cache. */
    record Started(int promptTokens, int cachedTokens) implements Event {
    }

    /** A piece of generated text: the answer's. */
    record Token(String text) implements Event {
    }

    /** A piece of the model's reasoning. */
    record Thought(String text) implements Event {
    }

    /** A piece of a tool call (see {@link GenerationOutput.ToolCallDelta}). */
    record ToolCall(int index, String id, String name, String arguments) implements Event {
    }

    /** What a template can do, as llama.cpp's chat layer tells it (its caps map). */
    record CapsOut(java.util.Map<String, Object> caps) implements Event {
    }

    /** Pooled vectors (base64) and the tokens they were made from. */
    record VectorsOut(List<String> vectors, int promptTokens) implements Event {
    }

    /** The request failed; {@code kind} is an engine failure kind. */
    record Failed(String message, String kind) implements Event {
    }

    /** Never sent by a runner: the daemon's marker for a runner whose output ended. */
    record Died() implements Event {
    }
}
