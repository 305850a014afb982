package io.modeld.runtime;

import io.modeld.gguf.ModelRole;



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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The runner: a child process of the daemon that holds llama.cpp (bound with JNA) and at most one
 * model. It loads the engine as soon as it starts and says {@code ready}, so a spare runner waits
 * with everything but the model in place; then it serves load, generate, embed, rerank and unload
 * requests from standard input, one at a time, answering on standard output. llama.cpp's log goes to
 * standard error. Unloading frees the model, and the runner can take the next one. When standard
 * input ends (the daemon let it go, or died) it exits.
 */
public final class RunnerMain {

    /** The folder of llama.cpp's libraries, set by the daemon on the runner's command line. */
    static final String LLAMA_DIR = "modeld.llama.dir";
    /** Marks the end of standard input in {@link #lines}; compared by identity. */
    private static final String END = new String("end of input");

    private final PrintStream out;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
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
            String line;
            while ((line = runner.lines.take()) != END) {
                runner.handle(line);
            }
        } catch (InterruptedException e) {
            return 1;
        } finally {
            runner.unload();
        }
        return 0;
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
            r = Json.MAPPER.readValue(line, RunnerMessages.Request.class);
        } catch (IOException e) {
            send(new RunnerMessages.Failed("unreadable request: " + e.getMessage(), "RUNTIME"));
            return;
        }
        try {
            if (r instanceof RunnerMessages.Load load) {
                load(load);
            } else if (r instanceof RunnerMessages.Unload) {
                unload();
                send(new RunnerMessages.Unloaded());
            } else if (r instanceof RunnerMessages.Generate g) {
                generate(g);
            } else if (r instanceof RunnerMessages.Render rr) {
                render(rr.chat());
            } else if (r instanceof RunnerMessages.Caps c) {
                caps(c);
            } else if (r instanceof RunnerMessages.Embed e) {
                vectors(embed(e.inputs(), e.tokens(), e.truncate()));
            } else if (r instanceof RunnerMessages.Rerank rr) {
                vectors(rerank(rr.query(), rr.documents(), rr.truncate()));
            }
            // A Stop that arrives after its generation ended has nothing to stop.
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
                    generator = Generator.create(m, context, threads);
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

    private void generate(RunnerMessages.Generate r) throws EngineException {
        LlamaModel m = model();
        if (generator == null) {
            throw new EngineException(EngineException.Kind.INPUT, "the model was loaded as " + role + ", not to generate");
        }
        Sampling sampling = r.sampling() == null ? Sampling.DEFAULT : r.sampling();
        Generation.Result result;
        if (r.chat() != null && templates != null) {
            result = TemplatedChat.generate(generator, m, engine.chat(), templates, r.chat(), r.maxTokens(), sampling,
                    r.stop(), r.ignoreEos(), new TemplatedChat.Parts() {
                        @Override
                        public void text(String piece) {
                            send(new RunnerMessages.Token(piece));
                        }

                        @Override
                        public void thinking(String piece) {
                            send(new RunnerMessages.Thought(piece));
                        }

                        @Override
                        public void toolCall(int index, String id, String name, String arguments) {
                            send(new RunnerMessages.ToolCall(index, id, name, arguments));
                        }
                    }, this::stopRequested);
        } else {
            int[] prompt;
            if (r.suffix() != null) {
                prompt = m.fillInTheMiddle(r.prompt() == null ? "" : r.prompt(), r.suffix());
            } else if (r.chat() != null) {
                prompt = builtInTemplate(m, r.chat());
            } else {
                prompt = m.tokenize(r.prompt() == null ? "" : r.prompt(), true, true);
            }
            result = generator.generate(new Generation.Request(prompt, r.maxTokens(), sampling, r.stop(), r.ignoreEos()),
                    text -> send(new RunnerMessages.Token(text)), this::stopRequested);
        }
        send(new RunnerMessages.Done(result.promptTokens(), result.tokens(), result.finish().wire(), result.promptNanos(),
                result.generateNanos()));
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
        return withBos(m, m.tokenize(m.applyTemplate(null, chat.messages(), true), false, true));
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

    /** A templated conversation gets the model's BOS in front unless its template already wrote it. */
    private static int[] withBos(LlamaModel m, int[] tokens) {
        int[] withBos = m.tokenize("", true, false);
        if (withBos.length == 1 && (tokens.length == 0 || tokens[0] != withBos[0])) {
            int[] all = new int[tokens.length + 1];
            all[0] = withBos[0];
            System.arraycopy(tokens, 0, all, 1, tokens.length);
            return all;
        }
        return tokens;
    }

    /** Whether the daemon asked to stop the generation in progress; the stop is consumed. */
    private boolean stopRequested() {
        String next = lines.peek();
        if (next == null || next == END) {
            return next == END;
        }
        if (next.contains("\"op\":\"stop\"")) {
            lines.poll();
            return true;
        }
        return false;
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

    private void send(RunnerMessages.Event e) {
        try {
            out.println(Json.MAPPER.writeValueAsString(e));
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
