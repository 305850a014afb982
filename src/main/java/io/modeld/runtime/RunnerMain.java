package io.modeld.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.engine.ChatLayer;
import io.modeld.engine.ChatRequest;
import io.modeld.engine.ChatTemplates;
import io.modeld.engine.EngineException;
import io.modeld.engine.TemplatedChat;
import io.modeld.engine.Generation;
import io.modeld.engine.Generator;
import io.modeld.engine.LlamaEngine;
import io.modeld.engine.LlamaModel;
import io.modeld.engine.OutputSplitter;
import io.modeld.engine.Pooler;
import io.modeld.engine.Sampling;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import io.modeld.gguf.ModelRole;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The runner: a child process of the daemon that holds llama.cpp (bound with JNA) and at most one
 * model. It loads the engine as soon as it starts and says {@code ready}, so a spare runner waits
 * with everything but the model in place; then it serves load, generate, embed, rerank and unload
 * requests from standard input, answering on standard output; every request carries an id its events
 * repeat. Generations run side by side in the model's slots ({@link Generator}): between two decodes the
 * runner reads what came in, starts new generations in free slots (the rest wait their turn here) and
 * answers the other requests. llama.cpp's log goes to standard error. Unloading frees the model, and the
 * runner can take the next one. When standard input ends (the daemon let it go, or died) it exits.
 */
public final class RunnerMain {

    /** The folder of llama.cpp's libraries, set by the daemon on the runner's command line. */
    static final String LLAMA_DIR = "modeld.llama.dir";
    /** Marks the end of standard input in {@link #lines}; compared by identity. */
    private static final String END = new String("end of input");

    private final PrintStream out;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Generations that wait for a free slot, in order. */
    private final Deque<Pending> waiting = new ArrayDeque<>();
    /** Stop flags of the generations started or waiting, by request id. */
    private final Map<Long, AtomicBoolean> stops = new ConcurrentHashMap<>();
    /** The request being answered (its id goes into every event sent meanwhile). */
    private long current;
    private LlamaEngine engine;
    private LlamaModel model;
    private ModelRole role;
    private Generator generator;
    /** The loaded model's chat templates in llama.cpp's chat layer; null without the layer. */
    private ChatTemplates templates;
    private Pooler pooler;

    private RunnerMain(PrintStream out) {
        this.out = out;
    }

    /** Runs until standard input ends; returns the exit code. */
    public static int run() {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but protocol lines may reach standard output
        RunnerMain runner = new RunnerMain(protocol);
        try {
            String dir = System.getProperty(LLAMA_DIR, "");
            if (dir.isEmpty()) {
                throw new EngineException(EngineException.Kind.LIBRARY, "no llama.cpp is bundled for this platform ("
                        + System.getProperty("os.name") + ", " + System.getProperty("os.arch") + "); give a build of "
                        + LlamaEngine.SUPPORTED + " with --llama-lib DIR");
            }
            runner.engine = LlamaEngine.load(Path.of(dir), true);
        } catch (EngineException e) {
            runner.send(new RunnerMessages.Failed(e.getMessage(), e.kind().name()));
            return 3;
        }
        runner.send(new RunnerMessages.Ready(runner.engine.version()));
        Thread reader = new Thread(runner::readInput, "runner-stdin");
        reader.setDaemon(true);
        reader.start();
        try {
            runner.serve();
        } catch (InterruptedException e) {
            return 1;
        } finally {
            runner.unload();
        }
        return 0;
    }

    /** Reads requests and runs the slots' decodes between them, until standard input ends. */
    private void serve() throws InterruptedException {
        while (true) {
            boolean busy = generator != null && !generator.idle();
            String line = busy ? lines.poll() : lines.take();
            while (line != null) {
                if (line == END) {
                    return;
                }
                handle(line);
                line = lines.poll();
            }
            if (generator != null) {
                startWaiting();
                try {
                    generator.step();
                } catch (EngineException e) {
                    // failAll told each generation; the slots start afresh
                }
            }
        }
    }

    /**
     * Reads standard input on its own thread, so that a "stop" can arrive while a generation runs.
     * The end of input (the daemon is gone) queues {@link #END}.
     */
    private void readInput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // treated as the end of input
        }
        lines.add(END);
    }

    private void handle(String line) {
        RunnerMessages.Request r;
        try {
            var tree = Json.MAPPER.readTree(line);
            current = tree.path(RunnerMessages.ID).asLong();
            r = Json.MAPPER.treeToValue(tree, RunnerMessages.Request.class);
        } catch (IOException e) {
            send(new RunnerMessages.Failed("unreadable request: " + e.getMessage(), "RUNTIME"));
            return;
        }
        try {
            if (r instanceof RunnerMessages.Stop) {
                stop(current);
                return;
            }
            if (r instanceof RunnerMessages.Load load) {
                load(load);
            } else if (r instanceof RunnerMessages.Unload) {
                unload();
                send(new RunnerMessages.Unloaded());
            } else if (r instanceof RunnerMessages.Generate g) {
                generate(current, g);
            } else if (r instanceof RunnerMessages.Render rr) {
                render(rr.chat());
            } else if (r instanceof RunnerMessages.Caps c) {
                caps(c);
            } else if (r instanceof RunnerMessages.Embed e) {
                vectors(embed(e.inputs(), e.tokens(), e.truncate()));
            } else if (r instanceof RunnerMessages.Rerank rr) {
                vectors(rerank(rr.query(), rr.documents(), rr.truncate()));
            }
        } catch (EngineException e) {
            send(new RunnerMessages.Failed(e.getMessage(), e.kind().name()));
        } catch (RuntimeException e) {
            send(new RunnerMessages.Failed(e.toString(), "RUNTIME"));
        }
    }

    private void load(RunnerMessages.Load r) throws EngineException {
        unload();
        List<Path> files = r.files().stream().map(Path::of).toList();
        LlamaModel m = engine.loadModel(files);
        try {
            ModelRole wanted = ModelRole.valueOf(r.role());
            int threads = Math.max(1, r.threads());
            int context = Math.min(r.context(), Math.max(16, m.contextTrained()));
            switch (wanted) {
                case GENERATOR -> {
                    generator = Generator.create(m, context, Math.max(1, r.parallel()), threads);
                    templates = engine.chat() == null ? null : engine.chat().templates(m);
                }
                case EMBEDDER -> pooler = Pooler.embeddings(m, context, threads, r.meanPooling());
                case RERANKER -> pooler = Pooler.reranker(m, context, threads);
            }
            model = m;
            role = wanted;
            int ctx = generator != null ? generator.contextSize() : pooler.maxTokens();
            send(new RunnerMessages.Loaded(ctx, m.embeddingOutputSize(), m.contextTrained()));
        } catch (EngineException | RuntimeException e) {
            unload();
            m.close();
            throw e;
        }
    }

    /** Frees the model and its context, and gives freed heap back to the system. */
    private void unload() {
        EngineException gone = new EngineException(EngineException.Kind.RUNTIME, "the model was unloaded");
        for (Pending p : waiting) {
            stops.remove(p.id());
            sendFor(p.id(), new RunnerMessages.Failed(gone.getMessage(), gone.kind().name()));
        }
        waiting.clear();
        if (generator != null) {
            generator.failAll(gone);
        }
        if (templates != null) {
            templates.close();
            templates = null;
        }
        if (generator != null) {
            generator.close();
            generator = null;
        }
        if (pooler != null) {
            pooler.close();
            pooler = null;
        }
        if (model != null) {
            model.close();
            model = null;
        }
        role = null;
        NativeMemory.trim();
    }

    private LlamaModel model() throws EngineException {
        if (model == null) {
            throw new EngineException(EngineException.Kind.RUNTIME, "no model is loaded in this runner");
        }
        return model;
    }

    /** A generation that waits for a free slot: its job, made when it starts (the sampler is native memory). */
    private record Pending(long id, RunnerMessages.Generate request) {
    }

    /** Starts the generation in a free slot, or queues it until one frees. */
    private void generate(long id, RunnerMessages.Generate r) throws EngineException {
        model();
        if (generator == null) {
            throw new EngineException(EngineException.Kind.INPUT, "the model was loaded as " + role + ", not to generate");
        }
        stops.put(id, new AtomicBoolean());
        waiting.add(new Pending(id, r));
        startWaiting();
    }

    /** Starts waiting generations while slots are free; one that cannot start is answered with its failure. */
    private void startWaiting() {
        while (generator != null && generator.hasFree() && !waiting.isEmpty()) {
            Pending p = waiting.poll();
            try {
                generator.start(job(p.id(), p.request()));
            } catch (EngineException e) {
                stops.remove(p.id());
                sendFor(p.id(), new RunnerMessages.Failed(e.getMessage(), e.kind().name()));
            } catch (RuntimeException e) {
                stops.remove(p.id());
                sendFor(p.id(), new RunnerMessages.Failed(e.toString(), "RUNTIME"));
            }
        }
    }

    /** Marks a generation to stop; one still waiting ends at once, with nothing generated. */
    private void stop(long id) {
        AtomicBoolean flag = stops.get(id);
        if (flag != null) {
            flag.set(true);
        }
        for (Pending p : waiting) {
            if (p.id() == id) {
                waiting.remove(p);
                stops.remove(id);
                sendFor(id, new RunnerMessages.Done(0, 0, 0, Generation.Finish.STOP.wire(), 0, 0));
                return;
            }
        }
    }

    private Generator.Job job(long id, RunnerMessages.Generate r) throws EngineException {
        LlamaModel m = model();
        Sampling sampling = r.sampling() == null ? Sampling.DEFAULT : r.sampling();
        AtomicBoolean stopped = stops.computeIfAbsent(id, k -> new AtomicBoolean());
        java.util.function.Consumer<Generation.Result> done = result -> {
            stops.remove(id);
            sendFor(id, new RunnerMessages.Done(result.promptTokens(), result.reusedTokens(), result.tokens(),
                    result.finish().wire(),
                    result.promptNanos(), result.generateNanos()));
        };
        java.util.function.Consumer<EngineException> failed = e -> {
            stops.remove(id);
            sendFor(id, new RunnerMessages.Failed(e.getMessage(), e.kind().name()));
        };
        if (r.chat() != null && templates != null) {
            return TemplatedChat.job(m, engine.chat(), templates, r.chat(), r.maxTokens(), sampling, r.stop(),
                    r.ignoreEos(), new OutputSplitter.Parts() {
                        @Override
                        public void text(String piece) {
                            sendFor(id, new RunnerMessages.Token(piece));
                        }

                        @Override
                        public void thinking(String piece) {
                            sendFor(id, new RunnerMessages.Thought(piece));
                        }

                        @Override
                        public void toolCall(int index, String callId, String name, String arguments) {
                            sendFor(id, new RunnerMessages.ToolCall(index, callId, name, arguments));
                        }
                    }, stopped::get, done, failed);
        }
        int[] prompt;
        if (r.suffix() != null) {
            prompt = m.fillInTheMiddle(r.prompt() == null ? "" : r.prompt(), r.suffix());
        } else if (r.chat() != null) {
            prompt = builtInTemplate(m, r.chat());
        } else {
            prompt = m.tokenize(r.prompt() == null ? "" : r.prompt(), true, true);
        }
        return Generator.job(m, new Generation.Request(prompt, r.maxTokens(), sampling, r.stop(), r.ignoreEos()),
                text -> sendFor(id, new RunnerMessages.Token(text)), stopped::get, done, failed);
    }

    /**
     * A conversation formatted by llama.cpp's built-in templates, for a llama.cpp without its chat layer:
     * plain messages only.
     */
    private static int[] builtInTemplate(LlamaModel m, ChatRequest chat) throws EngineException {
        if (chat.offersTools()) {
            throw new EngineException(EngineException.Kind.INPUT, "tools need llama.cpp's chat layer, which the "
                    + "llama.cpp in use lacks; use the bundled one (drop --llama-lib)");
        }
        return TemplatedChat.withBos(m, m.tokenize(m.applyTemplate(null, chat.messages(), true), false, true));
    }

    /** The prompt a conversation renders to with the loaded model's template. */
    private void render(ChatRequest chat) throws EngineException {
        LlamaModel m = model();
        String prompt = templates != null ? TemplatedChat.render(templates, chat)
                : m.applyTemplate(null, chat.messages(), true);
        send(new RunnerMessages.Rendered(prompt));
    }

    /** What a template can do, by llama.cpp's chat layer (needs no model). */
    private void caps(RunnerMessages.Caps c) throws EngineException {
        ChatLayer layer = engine.chat();
        if (layer == null) {
            throw new EngineException(EngineException.Kind.LIBRARY, "the llama.cpp in use has no chat layer");
        }
        try (ChatTemplates t = layer.templates(c.template(), c.bos(), c.eos())) {
            send(new RunnerMessages.CapsOut(Json.MAPPER.convertValue(t.caps(),
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Object>>() { })));
        }
    }

    private record Pooled(List<float[]> vectors, int tokens) {
    }

    private Pooled embed(List<String> inputs, List<int[]> tokenInputs, boolean truncate) throws EngineException {
        LlamaModel m = model();
        if (pooler == null || role == ModelRole.RERANKER) {
            throw new EngineException(EngineException.Kind.INPUT, "the model was loaded as " + role + ", not to embed");
        }
        int count = tokenInputs != null ? tokenInputs.size() : inputs.size();
        List<int[]> sequences = new ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < count; i++) {
            int[] raw = tokenInputs != null ? checked(tokenInputs.get(i), m.vocabularySize(), i)
                    : m.tokenize(inputs.get(i), true, false);
            int[] t = fit(raw, truncate, i);
            sequences.add(t);
            tokens += t.length;
        }
        return new Pooled(sequences.isEmpty() ? List.of() : pooler.run(sequences), tokens);
    }

    /** Token ids from a client: each must be in the vocabulary. */
    private static int[] checked(int[] tokens, int vocabulary, int index) throws EngineException {
        for (int t : tokens) {
            if (t < 0 || t >= vocabulary) {
                throw new EngineException(EngineException.Kind.INPUT, "input " + index + ": token " + t
                        + " is not in the model's vocabulary of " + vocabulary);
            }
        }
        return tokens;
    }

    private Pooled rerank(String query, List<String> documents, boolean truncate) throws EngineException {
        if (pooler == null || role != ModelRole.RERANKER) {
            throw new EngineException(EngineException.Kind.INPUT, "the model was loaded as " + role + ", not to rerank");
        }
        List<int[]> sequences = new ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < documents.size(); i++) {
            int[] t = fit(pooler.pair(query, documents.get(i)), truncate, i);
            sequences.add(t);
            tokens += t.length;
        }
        return new Pooled(pooler.run(sequences), tokens);
    }

    /** An input cut to the context, or refused when it may not be cut. */
    private int[] fit(int[] tokens, boolean truncate, int index) throws EngineException {
        int max = pooler.maxTokens();
        if (tokens.length <= max) {
            return tokens.length == 0 ? new int[] {0} : tokens;
        }
        if (!truncate) {
            throw new EngineException(EngineException.Kind.INPUT, "the input length exceeds the context length: input "
                    + index + " is " + tokens.length + " tokens, the model's context " + max + " (truncate is off)");
        }
        return java.util.Arrays.copyOf(tokens, max);
    }

    private void vectors(Pooled p) {
        List<String> encoded = new ArrayList<>(p.vectors().size());
        for (float[] v : p.vectors()) {
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            encoded.add(Base64.getEncoder().encodeToString(b.array()));
        }
        send(new RunnerMessages.VectorsOut(encoded, p.tokens()));
    }

    /** Answers the request being handled. */
    private void send(RunnerMessages.Event e) {
        sendFor(current, e);
    }

    /** An event of request {@code id}: the event's JSON with the id in it, on one line. */
    private void sendFor(long id, RunnerMessages.Event e) {
        ObjectNode line = Json.MAPPER.valueToTree(e);
        line.put(RunnerMessages.ID, id);
        out.println(line.toString());
    }
}
