package io.modeld.inference;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelRoles;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelStore;
import io.modeld.catalog.Modelfile;
import io.modeld.engine.ChatTurn;
import io.modeld.engine.Media;
import io.modeld.gguf.ModelRole;
import io.modeld.remote.RemoteClient;
import io.modeld.runtime.Lease;
import io.modeld.runtime.LoadOptions;
import io.modeld.runtime.ModelRunner;
import io.modeld.runtime.RenderedPrompt;
import io.modeld.runtime.TokenText;
import io.modeld.runtime.RunnerRequest;
import io.modeld.runtime.RunnerResult;
import io.modeld.runtime.Scheduler;
import java.time.Duration;
import io.modeld.gguf.ProjectorFacts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The one inference core every front door calls, as llama-server's doors all call one
 * {@code handle_completions_impl}: resolve the model by any of its names, check its role, merge the
 * options once (defaults, then the model's Modelfile, then the request: {@link Options}), put the model's
 * system prompt in front of a conversation that has none, load the model within the budget and run
 * generation, embedding or reranking on it, reporting through a {@link TokenSink}. The same model answers
 * the same on {@code /v1}, {@code /api} and the Pieces API; only each door's parsing and shaping differ.
 * Limits that are the same on every door live here: {@link #MAX_INPUTS}, the queue (BUSY).
 */
public final class Inference implements AutoCloseable {

    /** Inputs of one embedding request, documents of one rerank. */
    public static final int MAX_INPUTS = 2048;
    /**
     * Characters a token of the context may stand for, at most: a prompt longer than that many per token of
     * the context is refused before it is tokenized (tokenizing a 1 MiB prompt took minutes on a vocabulary
     * without merges, stalling the model's other slots). Real text runs 3 to 5 characters a token.
     */
    static final int MAX_CHARS_PER_TOKEN = 16;
    /** What "until the model stops" means in tokens: the context ends it sooner anyway. */
    static final int UNLIMITED_TOKENS = 1 << 20;

    private final ModelService models;
    private final Scheduler scheduler;
    private final TemplateCapabilities capabilities;
    /** Generations and embeddings of remote models. */
    private final RemoteGenerations remotes;

    public Inference(ModelService models, Scheduler scheduler, ModelStore store) {
        this(models, scheduler, store, null);
    }

    public Inference(ModelService models, Scheduler scheduler, ModelStore store, RemoteClient remote) {
        this.models = models;
        this.scheduler = scheduler;
        this.remotes = new RemoteGenerations(remote);
        this.capabilities = new TemplateCapabilities(models, scheduler, store);
        models.subscribe(change -> capabilities.changed(change.id()));
    }

    private volatile GenerationMeter meter = GenerationMeter.NONE;

    /** Where each generation's counts go (the metrics). */
    public void meter(GenerationMeter m) {
        meter = m == null ? GenerationMeter.NONE : m;
    }

    /**
     * What the model can do: generate, call tools, think, fill in the middle, embed, rerank; never waits (a
     * template not checked yet is read by its words until it is).
     */
    public ModelCapabilities capabilities(ModelRecord r) {
        return r.remote() != null ? RemoteGenerations.capabilities(r.remote())
                : capabilities.of(r).withMedia(projector(r));
    }

    /** The same once the model's template is checked, waiting for its check. */
    public ModelCapabilities checkedCapabilities(ModelRecord r) {
        return r.remote() != null ? RemoteGenerations.capabilities(r.remote())
                : capabilities.checked(r).withMedia(projector(r));
    }

    /** What a generator's projector says of itself, or null when it has none (or it cannot be read). */
    public ProjectorFacts projector(ModelRecord r) {
        return r.downloaded() && ModelRoles.of(r.spec()) == ModelRole.GENERATOR
                ? ProjectorFacts.paired(models.projectorOf(r), models.fileOf(r)) : null;
    }

    /** Why the model cannot be used now, or null; never waits (for listings). */
    public String problem(ModelRecord r) {
        return capabilities.problem(r);
    }

    /** Checks the templates of the downloaded chat models not read yet, in the background. */
    public void checkTemplates() {
        capabilities.checkAll();
    }

    /** A model whose template could not be read is refused, saying why. */
    private ModelCapabilities usable(ModelRecord r) {
        ModelCapabilities caps = checkedCapabilities(r);
        if (caps.problem() != null) {
            throw new ModeldException(ModeldException.Kind.UNPROCESSABLE, "model '" + r.spec().name()
                    + "' cannot be used: " + caps.problem());
        }
        return caps;
    }

    /**
     * The prompt the model's own chat template makes of a conversation (with the model's system prompt in
     * front when it brings none), as llama-server's {@code /apply-template} answers it; loads the model.
     */
    public String render(GenerationRequest request) {
        return rendered(request, false).prompt();
    }

    /**
     * The tokens a conversation's prompt takes, counted as its generation would count them (Anthropic's
     * {@code count_tokens}, the Responses API's {@code input_tokens}); loads the model.
     */
    public int countTokens(GenerationRequest request) {
        return rendered(request, true).tokens();
    }

    private RenderedPrompt rendered(GenerationRequest request, boolean count) {
        ModelRecord r = models.get(request.model());
        refuseEarly(r, ModelRole.GENERATOR);
        local(r, count ? "counting a prompt's tokens" : "rendering its template");
        usable(r);
        if (!(request.prompt() instanceof Prompt.Chat c)) {
            throw ModeldException.invalid("messages: a template renders a conversation");
        }
        try (Lease lease = scheduler.lease(r, loadOptions(r, request.options(), request.keepAlive()))) {
            require(lease, ModelRole.GENERATOR, r);
            fits(request.prompt(), lease);
            return lease.render(c.chat().withMessages(withSystem(r, c.chat().messages())), count);
        }
    }

    /**
     * Tokens of {@code content} in a model's vocabulary, or the text of {@code tokens} (llama-server's
     * {@code /tokenize} and {@code /detokenize}); loads the model. The text is bounded as a prompt is.
     */
    public TokenText tokenize(String model, String content, boolean addSpecial, boolean parseSpecial, int[] tokens) {
        ModelRecord r = models.get(model);
        local(r, "tokenizing");
        usable(r);
        try (Lease lease = scheduler.lease(r, loadOptions(r, Options.NONE, null))) {
            if (content != null) {
                fits(new Prompt.Text(content, null), lease);
            }
            return lease.tokenize(content, addSpecial, parseSpecial, tokens);
        }
    }

    /**
     * llama-server's slot API on a chat model ({@code model} null: the one chat model loaded): {@code list}, or
     * {@code save}/{@code restore}/{@code erase} of slot {@code slot} with {@code file}; loads the model.
     */
    public ModelRunner.Slots slots(String model, String action, int slot, java.nio.file.Path file) {
        ModelRecord r;
        if (model != null) {
            r = models.get(model);
        } else {
            List<String> chat = scheduler.loadedModels().stream()
                    .filter(l -> l.role() == ModelRole.GENERATOR).map(l -> l.id()).toList();
            if (chat.size() != 1) {
                throw ModeldException.invalid("model: required when " + chat.size() + " chat models are loaded");
            }
            r = models.get(chat.get(0));
        }
        local(r, "its slots");
        usable(r);
        try (Lease lease = scheduler.lease(r, loadOptions(r, Options.NONE, null))) {
            return lease.slots(action, slot, file);
        }
    }

    /** The model a client names: by id, unique name or Ollama name (UNKNOWN_MODEL otherwise). */
    public ModelRecord model(String name) {
        return models.get(name);
    }

    /** Loads the model (or joins its load) with the context its Modelfile asks for, and returns it once in memory. */
    public ModelRecord load(String name) {
        ModelRecord r = models.get(name);
        return load(r.id(), loadOptions(r, Options.NONE, null));
    }

    /** Loads the model (or joins its load) and returns it once it is in memory. */
    public ModelRecord load(String name, LoadOptions options) {
        ModelRecord r = models.get(name);
        if (r.remote() != null) {
            return r;   // it is loaded where it lives
        }
        usable(r);
        try (Lease ignored = scheduler.lease(r, options)) {
            return models.get(r.id());
        }
    }

    /** Unloads the model, giving its memory back. */
    public ModelRecord unload(String name) {
        ModelRecord r = models.get(name);
        if (r.remote() != null) {
            return r;
        }
        scheduler.unload(r.id());
        return models.get(r.id());
    }

    /** The load options a request's own options and keep-alive ask for, the model's Modelfile included. */
    public LoadOptions loadOptions(ModelRecord r, Options request, Duration keepAlive) {
        Options o = merged(r, request);
        return new LoadOptions(o.context() == null ? 0 : o.context(), keepAlive, o.gpuLayers());
    }

    private static Options merged(ModelRecord r, Options request) {
        Modelfile mf = r.spec().modelfile();
        return Options.DEFAULTS.over(Options.fromModelfile(mf == null ? null : mf.parameters())).over(request);
    }

    /** Generates from the model, giving {@code sink} the text as it comes; the counts are the tokenizer's. */
    public RunnerResult generate(GenerationRequest request, TokenSink sink) {
        ModelRecord r = models.get(request.model());
        refuseEarly(r, ModelRole.GENERATOR);
        ModelCapabilities caps = usable(r);
        if (request.prompt() instanceof Prompt.Chat c && c.chat().offersTools() && !caps.tools()) {
            throw ModeldException.invalid("model '" + r.spec().name() + "' does not support tools: its chat template "
                    + "takes none");
        }
        if (request.prompt() instanceof Prompt.Chat c) {
            for (Media m : c.chat().media()) {
                if (m.kind() == Media.Kind.IMAGE && !caps.vision() || m.kind() == Media.Kind.AUDIO && !caps.audio()) {
                    throw ModeldException.invalid("model '" + r.spec().name() + "' cannot "
                            + (m.kind() == Media.Kind.IMAGE ? "read images" : "hear audio") + ": it has no projector "
                            + "that does (an mmproj file beside it, or a projector layer); use a model that can, or "
                            + "send text");
                }
            }
        }
        if (r.remote() != null) {
            return remotes.generate(r, withSystem(r, request), sink, meter);
        }
        Options o = merged(r, request.options());
        int max = o.maxTokens() == null || o.maxTokens() < 0 ? UNLIMITED_TOKENS : o.maxTokens();
        RunnerRequest run = request.prompt() instanceof Prompt.Chat c
                ? new RunnerRequest(null, c.chat().withMessages(withSystem(r, c.chat().messages())), max, o.sampling(),
                        o.stop(), request.ignoreEos(), null, request.logprobs(), request.keep())
                : new RunnerRequest(((Prompt.Text) request.prompt()).prompt(), null, max, o.sampling(), o.stop(),
                        request.ignoreEos(), ((Prompt.Text) request.prompt()).suffix(), request.logprobs(),
                        request.keep());
        LoadOptions load = new LoadOptions(o.context() == null ? 0 : o.context(), request.keepAlive(), o.gpuLayers());
        try (Lease lease = scheduler.lease(r, load)) {
            require(lease, ModelRole.GENERATOR, r);
            fits(request.prompt(), lease);
            RunnerResult result;
            try {
                result = lease.generate(run, sink);
            } catch (RuntimeException e) {
                meter.failed(r.id());
                throw e;
            }
            meter.generated(r.id(), result);
            return result;
        }
    }

    /** Refuses, for a remote model, what needs the model's own files here: its template, tokenizer or slots. */
    private static void local(ModelRecord r, String what) {
        if (r.remote() != null) {
            throw ModeldException.invalid("model '" + r.spec().name() + "' is a remote model (on "
                    + r.remote().host() + "): " + what + " needs a model whose files are here");
        }
    }

    /** Refuses a prompt far longer than the context holds before anything tokenizes it. */
    private static void fits(Prompt prompt, Lease lease) {
        long chars = prompt.length();
        long most = (long) lease.context() * MAX_CHARS_PER_TOKEN;
        if (chars > most) {
            throw ModeldException.invalid("the prompt is " + chars + " characters, more than a context of "
                    + lease.context() + " tokens can hold (modeld refuses over " + MAX_CHARS_PER_TOKEN
                    + " characters a token before reading them); shorten it or load the model with a larger context");
        }
    }

    /** The request's conversation with the model's own system prompt in front (a text prompt as it is). */
    private static GenerationRequest withSystem(ModelRecord r, GenerationRequest request) {
        return request.prompt() instanceof Prompt.Chat c ? new GenerationRequest(request.model(),
                new Prompt.Chat(c.chat().withMessages(withSystem(r, c.chat().messages()))), request.options(),
                request.keepAlive(), request.ignoreEos(), request.logprobs(), request.keep()) : request;
    }

    /** The model's own system prompt (its Modelfile's) in front of a conversation that brings none. */
    private static List<ChatTurn> withSystem(ModelRecord r, List<ChatTurn> messages) {
        String system = r.spec().modelfile() == null ? null : r.spec().modelfile().system();
        if (system == null || system.isEmpty() || messages.stream().anyMatch(m -> m.role() == ChatTurn.Role.SYSTEM)) {
            return messages;
        }
        List<ChatTurn> all = new ArrayList<>(messages.size() + 1);
        all.add(new ChatTurn(ChatTurn.Role.SYSTEM, system));
        all.addAll(messages);
        return all;
    }

    /** Vectors of the inputs with an embedding model. */
    public Embeddings embed(EmbeddingRequest request) {
        if (request.count() > MAX_INPUTS) {
            throw ModeldException.invalid("input: at most " + MAX_INPUTS + " inputs in one request");
        }
        ModelRecord r = models.get(request.model());
        refuseEarly(r, ModelRole.EMBEDDER);
        if (r.remote() != null) {
            RemoteClient.Vectors v = remotes.embed(r, request);
            return new Embeddings(shaped(request, v.vectors()), v.tokens(), 0);
        }
        try (Lease lease = scheduler.lease(r, loadOptions(r, request.options(), request.keepAlive()))) {
            require(lease, ModelRole.EMBEDDER, r);
            ModelRunner.Pooled v = lease.pool(null, request.texts(), request.tokens(), request.truncate());
            return new Embeddings(shaped(request, v.vectors()), v.tokens(), lease.loadNanos());
        }
    }

    /** The vectors cut to the dimensions asked, and scaled to unit length when asked. */
    private static List<float[]> shaped(EmbeddingRequest request, List<float[]> vectors) {
        List<float[]> out = new ArrayList<>(vectors.size());
        for (float[] vector : vectors) {
            out.add(request.normalize()
                    ? Vectors.normalized(Vectors.truncated(Vectors.normalized(vector), request.dimensions()))
                    : Vectors.truncated(vector, request.dimensions()));
        }
        return out;
    }

    /** The documents ranked by a reranker against the query, best first (ties in request order). */
    public Ranking rerank(RerankRequest request) {
        if (request.documents().size() > MAX_INPUTS) {
            throw ModeldException.invalid("documents: at most " + MAX_INPUTS + " in one request");
        }
        ModelRecord r = models.get(request.model());
        refuseEarly(r, ModelRole.RERANKER);
        try (Lease lease = scheduler.lease(r, loadOptions(r, Options.NONE, null))) {
            require(lease, ModelRole.RERANKER, r);
            ModelRunner.Pooled scores = lease.pool(request.query(), request.documents(), null, request.truncate());
            List<Ranking.Ranked> ranked = new ArrayList<>();
            for (int i = 0; i < request.documents().size(); i++) {
                ranked.add(new Ranking.Ranked(i, scores.vectors().get(i)[0]));
            }
            ranked.sort(Comparator.comparingDouble(Ranking.Ranked::score).reversed()
                    .thenComparingInt(Ranking.Ranked::index));
            int n = request.topN() <= 0 ? ranked.size() : Math.min(request.topN(), ranked.size());
            return new Ranking(List.copyOf(ranked.subList(0, n)), scores.tokens());
        }
    }

    /** Refuses before loading anything when the model's spec already says it has another role. */
    private static void refuseEarly(ModelRecord r, ModelRole needed) {
        ModelRole known = ModelRoles.of(r.spec());
        if (known != needed) {
            throw wrongRole(r, known, needed);
        }
    }

    private static void require(Lease lease, ModelRole needed, ModelRecord r) {
        if (lease.role() != needed) {
            throw wrongRole(r, lease.role(), needed);
        }
    }

    private static ModeldException wrongRole(ModelRecord r, ModelRole is, ModelRole needed) {
        return ModeldException.invalid("model '" + r.spec().name() + "' is " + is.withArticle() + " (it serves "
                + is.serves() + "), not " + needed.withArticle() + "; use a model made for " + needed.serves());
    }

    /** Stops the template checks in flight. */
    @Override
    public void close() {
        capabilities.close();
    }
}
