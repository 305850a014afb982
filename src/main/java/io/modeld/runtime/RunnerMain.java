package io.modeld.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.engine.ChatLayer;
import io.modeld.engine.ChatTemplates;
import io.modeld.engine.EngineException;
import io.modeld.engine.Generation;
import io.modeld.engine.Generator;
import io.modeld.engine.LlamaEngine;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The runner: a child process of the daemon that holds llama.cpp (bound with JNA) and at most one model. It
 * loads the engine as soon as it starts and says {@code ready}, so a spare runner waits with everything but
 * the model in place; then it serves load, generate, render, embed, rerank and unload requests from standard
 * input, answering on standard output; every request carries an id its events repeat.
 *
 * <p>Threads: one reads standard input (a stop takes effect at once, even inside a long step); the decode
 * loop runs the slots ({@link Generator}): between two decodes it reads what came in, starts prepared
 * generations in free slots and answers loads, unloads, embeddings and reranks; the {@link Preparer} renders,
 * tokenizes and builds samplers for the generations to come and answers renders and template checks, so a
 * long one never holds up the slots; the {@link StepWatch} ends a step past its deadline. llama.cpp's log
 * goes to standard error. When standard input ends (the daemon let it go, or died) the runner exits.
 */
public final class RunnerMain {

    /** The folder of llama.cpp's libraries, set by the daemon on the runner's command line. */
    static final String LLAMA_DIR = "modeld.llama.dir";
    /**
     * The working threads' stack: reserved, and touched only as deep as the native code goes. llama.cpp's
     * JSON-schema converter recursed once per optional property and crashed the default 1 MB main stack on a
     * tool of 2,200 of them (issue 29).
     */
    static final long STACK_BYTES = 256L << 20;
    /** The step limit until a load or a check says otherwise. */
    static final long DEFAULT_STEP_MILLIS = 30_000;
    /** A decode may take this many step limits: a long prompt's chunk on a big model and a slow machine. */
    static final int DECODE_STEPS = 10;
    /** Marks the end of standard input in the inbox; compared by identity. */
    private static final Object END = new Object();

    private final PrintStream out;
    /** What the decode loop has to do: request lines and prepared generations, in order. */
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Generations that wait for a free slot, in order. */
    private final Deque<Pending> waiting = new ArrayDeque<>();
    /** Stop flags of the generations started, in preparation or waiting, by request id. */
    private final Map<Long, AtomicBoolean> stops = new ConcurrentHashMap<>();
    /** Requests received and not yet answered to the end: told why, should the runner be ended. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final StepWatch.Lane decodeLane = new StepWatch.Lane();
    private final StepWatch.Lane prepareLane = new StepWatch.Lane();
    private final Preparer preparer;
    private volatile long stepNanos = TimeUnit.MILLISECONDS.toNanos(DEFAULT_STEP_MILLIS);
    private LlamaEngine engine;
    private JobMaker jobs;
    private volatile RunnerModel held;
    /** Slots promised to generations in preparation, or prepared and not yet started. */
    private int reserved;

    private final boolean templateCheck;

    private RunnerMain(PrintStream out, boolean templateCheck) {
        this.out = out;
        this.templateCheck = templateCheck;
        this.preparer = new Preparer(prepareLane, () -> stepNanos);
    }

    /**
     * Runs until standard input ends; returns the exit code. A runner that only checks templates
     * ({@code templateCheck}) refuses to load a model: its limits are a check's.
     */
    public static int run(boolean templateCheck) {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but protocol lines may reach standard output
        RunnerMain runner = new RunnerMain(protocol, templateCheck);
        try {
            String dir = System.getProperty(LLAMA_DIR, "");
            if (dir.isEmpty()) {
                throw new EngineException(EngineException.Kind.LIBRARY, "no llama.cpp is bundled for this platform ("
                        + System.getProperty("os.name") + ", " + System.getProperty("os.arch") + "); give a build of "
                        + LlamaEngine.SUPPORTED + " with --llama-lib DIR");
            }
            runner.engine = LlamaEngine.load(Path.of(dir), true);
        } catch (EngineException e) {
            runner.sendFor(0, new RunnerMessages.Failed(e.getMessage(), e.kind().name()));
            return 3;
        }
        runner.jobs = new JobMaker(runner.engine, runner::sendFor);
        runner.sendFor(0, new RunnerMessages.Ready(runner.engine.version()));
        Thread reader = new Thread(runner::readInput, "runner-stdin");
        reader.setDaemon(true);
        reader.start();
        runner.preparer.start();
        new StepWatch(List.of(runner.decodeLane, runner.prepareLane), runner::stopped, runner.new Expiry()).start();
        int[] code = {0};
        Thread loop = new Thread(null, () -> {
            try {
                runner.serve();
            } catch (InterruptedException e) {
                code[0] = 1;
            } finally {
                runner.unload();
            }
        }, "runner-decode", STACK_BYTES);
        loop.start();
        try {
            loop.join();
        } catch (InterruptedException e) {
            return 1;
        }
        return code[0];
    }

    /** Reads requests and runs the slots' decodes between them, until standard input ends. */
    private void serve() throws InterruptedException {
        while (true) {
            RunnerModel h = held;
            boolean busy = h != null && h.generator != null && !h.generator.idle();
            Object item = busy ? inbox.poll() : inbox.take();
            while (item != null) {
                if (item == END) {
                    return;
                }
                if (item instanceof Prepared p) {
                    start(p);
                } else {
                    handle((String) item);
                }
                item = inbox.poll();
            }
            h = held;
            if (h != null && h.generator != null) {
                feed(h);
                try {
                    h.generator.step();
                } catch (EngineException e) {
                    // failAll told each generation; the slots start afresh
                }
            }
        }
    }

    /**
     * Reads standard input on its own thread: a stop marks its generation at once (the decode loop and the
     * watchdog read the mark), and every line goes on to the decode loop in order. The end of input (the
     * daemon is gone) queues {@link #END}.
     */
    private void readInput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long id = idOf(line);
                if (line.startsWith("{\"op\":\"stop\"")) {
                    AtomicBoolean flag = stops.get(id);
                    if (flag != null) {
                        flag.set(true);
                    }
                } else if (id > 0) {
                    inFlight.add(id);
                }
                inbox.add(line);
            }
        } catch (IOException e) {
            // treated as the end of input
        }
        inbox.add(END);
    }

    /** The id the daemon puts last in each request line ({@code ..."request":N}); 0 when there is none. */
    private static long idOf(String line) {
        int at = line.lastIndexOf("\"" + RunnerMessages.ID + "\":");
        if (at < 0) {
            return 0;
        }
        long id = 0;
        for (int i = at + RunnerMessages.ID.length() + 3; i < line.length() && Character.isDigit(line.charAt(i)); i++) {
            id = id * 10 + (line.charAt(i) - '0');
        }
        return id;
    }

    private boolean stopped(long id) {
        AtomicBoolean flag = stops.get(id);
        return flag != null && flag.get();
    }

    private void handle(String line) {
        RunnerMessages.Request r;
        long id;
        try {
            var tree = Json.MAPPER.readTree(line);
            id = tree.path(RunnerMessages.ID).asLong();
            r = Json.MAPPER.treeToValue(tree, RunnerMessages.Request.class);
        } catch (IOException e) {
            sendFor(idOf(line), new RunnerMessages.Failed("unreadable request: " + e.getMessage(), "RUNTIME"));
            return;
        }
        try {
            if (r instanceof RunnerMessages.Stop) {
                stop(id);
            } else if (r instanceof RunnerMessages.Load load) {
                load(load);
                sendFor(id, held.loaded());
            } else if (r instanceof RunnerMessages.Unload) {
                unload();
                sendFor(id, new RunnerMessages.Unloaded());
            } else if (r instanceof RunnerRequest g) {
                generate(id, g);
            } else if (r instanceof RunnerMessages.Render rr) {
                RunnerModel h = model();
                preparer.submit(id, "rendering the chat template", () -> sendFor(id,
                        new RunnerMessages.Rendered(jobs.render(h, rr.chat()))), e -> fail(id, e));
            } else if (r instanceof RunnerMessages.Caps c) {
                if (c.stepMillis() > 0) {
                    stepNanos = TimeUnit.MILLISECONDS.toNanos(c.stepMillis());
                }
                if (c.memoryBytes() > 0 && !NativeMemory.limit(c.memoryBytes(),
                        Math.max(5, DECODE_STEPS * TimeUnit.NANOSECONDS.toSeconds(stepNanos)))) {
                    throw new EngineException(EngineException.Kind.RUNTIME, "the runner cannot limit its memory here");
                }
                preparer.submit(id, "reading the chat template", () -> caps(id, c), e -> fail(id, e));
            } else if (r instanceof RunnerMessages.Embed e) {
                RunnerModel h = model();
                vectors(id, watched("embedding", id, () -> h.embed(e.inputs(), e.tokens(), e.truncate())));
            } else if (r instanceof RunnerMessages.Rerank rr) {
                RunnerModel h = model();
                vectors(id, watched("reranking", id, () -> h.rerank(rr.query(), rr.documents(), rr.truncate())));
            }
        } catch (EngineException e) {
            fail(id, e);
        } catch (RuntimeException e) {
            sendFor(id, new RunnerMessages.Failed(e.toString(), "RUNTIME"));
        }
    }

    private void load(RunnerMessages.Load r) throws EngineException {
        if (templateCheck) {
            throw new EngineException(EngineException.Kind.RUNTIME, "a template-checking runner loads no model");
        }
        unload();
        if (r.stepMillis() > 0) {
            stepNanos = TimeUnit.MILLISECONDS.toNanos(r.stepMillis());
        }
        if (r.memoryBytes() > 0) {
            // what the model, its context and a template may take: a template that grows for ever fails here
            NativeMemory.limit(r.memoryBytes(), 0);
        }
        RunnerModel h = RunnerModel.load(engine, r, decodeLane, stepNanos);
        if (h.generator != null) {
            h.generator.watch(new DecodeWatch());
        }
        held = h;
    }

    /**
     * Frees the model, failing what waits for it; the preparation thread is let finish first (what it does
     * touches the model), and freed heap goes back to the system.
     */
    private void unload() {
        EngineException gone = new EngineException(EngineException.Kind.RUNTIME, "the model was unloaded");
        for (Pending p : waiting) {
            stops.remove(p.id());
            fail(p.id(), gone);
        }
        waiting.clear();
        try {
            preparer.cancelAndWait(gone);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Object> prepared = new ArrayList<>();
        inbox.removeIf(o -> o instanceof Prepared && prepared.add(o));
        prepared.forEach(p -> fail((Prepared) p, gone));
        reserved = 0;
        RunnerModel h = held;
        held = null;
        if (h != null) {
            if (h.generator != null) {
                h.generator.failAll(gone);
            }
            h.close();
        }
        NativeMemory.trim();
    }

    private RunnerModel model() throws EngineException {
        RunnerModel h = held;
        if (h == null) {
            throw new EngineException(EngineException.Kind.RUNTIME, "no model is loaded in this runner");
        }
        return h;
    }

    /** A generation that waits for a free slot. */
    private record Pending(long id, RunnerRequest request) {
    }

    /** A generation made ready by the preparation thread (or its failure), for the model it was made on. */
    private record Prepared(RunnerModel held, Pending pending, Generator.Job job, EngineException failure) {
    }

    /** Ends a prepared generation that will not start (its job's failure frees its sampler). */
    private void fail(Prepared p, EngineException why) {
        if (p.job() != null) {
            p.job().failed().accept(why);
        } else {
            fail(p.pending().id(), p.failure() != null ? p.failure() : why);
        }
    }

    /** Queues a generation; it is prepared once a slot is free for it. */
    private void generate(long id, RunnerRequest r) throws EngineException {
        RunnerModel h = model();
        if (h.generator == null) {
            throw new EngineException(EngineException.Kind.INPUT, "the model was loaded as " + h.role + ", not to generate");
        }
        stops.put(id, new AtomicBoolean());
        waiting.add(new Pending(id, r));
        feed(h);
    }

    /** Hands waiting generations to the preparation thread while slots are free for them. */
    private void feed(RunnerModel h) {
        while (!waiting.isEmpty() && h.generator.freeSlots() - reserved > 0) {
            Pending p = waiting.poll();
            reserved++;
            preparer.submit(p.id(), "preparing the prompt and its sampler", () -> inbox.add(new Prepared(h, p,
                    jobs.make(h, p.id(), p.request(), () -> stopped(p.id())), null)),
                    e -> inbox.add(new Prepared(h, p, null, e)));
        }
    }

    /** Starts a prepared generation in the slot kept for it; one that cannot start is answered with its failure. */
    private void start(Prepared p) {
        if (p.held() != held) {
            fail(p, new EngineException(EngineException.Kind.RUNTIME, "the model was unloaded"));
            return;
        }
        reserved--;
        if (p.failure() != null) {
            fail(p, p.failure());
            return;
        }
        try {
            long id = p.pending().id();
            int prompt = p.job().request().prompt().length;
            p.held().generator.start(p.job(), cached -> sendFor(id, new RunnerMessages.Started(prompt, cached)));
        } catch (EngineException e) {
            p.job().failed().accept(e);
        } catch (RuntimeException e) {
            p.job().failed().accept(new EngineException(EngineException.Kind.RUNTIME, e.toString()));
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
                sendFor(id, new RunnerResult(0, 0, 0, Generation.Finish.STOP, 0, 0, 0));
                return;
            }
        }
    }

    /** What a template can do, by llama.cpp's chat layer (needs no model). */
    private void caps(long id, RunnerMessages.Caps c) throws EngineException {
        ChatLayer layer = engine.chat();
        if (layer == null) {
            throw new EngineException(EngineException.Kind.LIBRARY, "the llama.cpp in use has no chat layer");
        }
        try (ChatTemplates t = layer.templates(c.template(), c.bos(), c.eos())) {
            sendFor(id, new RunnerMessages.CapsOut(Json.MAPPER.convertValue(t.caps(),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { })));
        }
    }

    private interface Pooling {
        RunnerModel.Pooled run() throws EngineException;
    }

    /** Pooling as a step of the decode lane, with a decode's deadline. */
    private RunnerModel.Pooled watched(String what, long id, Pooling work) throws EngineException {
        decodeLane.begin(what, DECODE_STEPS * stepNanos, id);
        try {
            return work.run();
        } finally {
            decodeLane.end();
        }
    }

    private void vectors(long id, RunnerModel.Pooled p) {
        List<String> encoded = new ArrayList<>(p.vectors().size());
        for (float[] v : p.vectors()) {
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            encoded.add(Base64.getEncoder().encodeToString(b.array()));
        }
        sendFor(id, new RunnerMessages.VectorsOut(encoded, p.tokens()));
    }

    private void fail(long id, EngineException e) {
        sendFor(id, new RunnerMessages.Failed(e.getMessage(), e.kind().name()));
    }

    /**
     * An event of request {@code id}: the event's JSON with the id in it, on one line. A last event ends the
     * request's time in flight.
     */
    private void sendFor(long id, RunnerMessages.Event e) {
        ObjectNode line = Json.MAPPER.valueToTree(e);
        line.put(RunnerMessages.ID, id);
        String text = line.toString();
        synchronized (out) {
            out.print(text);
            out.print('\n');
            out.flush();
        }
        if (e instanceof RunnerResult || e instanceof RunnerMessages.Failed || e instanceof RunnerMessages.Loaded
                || e instanceof RunnerMessages.Unloaded || e instanceof RunnerMessages.Rendered
                || e instanceof RunnerMessages.CapsOut || e instanceof RunnerMessages.VectorsOut) {
            inFlight.remove(id);
            stops.remove(id);
        }
    }

    /** Tells the watchdog what the decode loop's slots do. */
    private final class DecodeWatch implements Generator.Watch {
        @Override
        public void decoding(long step, long[] ids) {
            decodeLane.decoding(step, DECODE_STEPS * stepNanos, ids);
        }

        @Override
        public void sampling(long id) {
            decodeLane.begin("sampling a token", stepNanos, id);
        }

        @Override
        public void stepDone() {
            decodeLane.end();
        }
    }

    /** What the watchdog does: abort a decode, or end the runner with every request told why. */
    private final class Expiry implements StepWatch.Actions {
        @Override
        public boolean abort(StepWatch.Step step, String reason) {
            RunnerModel h = held;
            return h != null && h.generator != null && h.generator.abort(step.decode(), "the model " + reason);
        }

        @Override
        public void expire(StepWatch.Step step, String reason) {
            synchronized (out) {
                sendFor(0, new RunnerMessages.Ending());
                Set<Long> own = new java.util.HashSet<>();
                for (long id : step.ids()) {
                    own.add(id);
                    sendFor(id, new RunnerMessages.Failed("the model " + reason + "; its runner was ended, and the "
                            + "model loads again for the next request", EngineException.Kind.DEADLINE.name()));
                }
                for (long id : List.copyOf(inFlight)) {
                    if (!own.contains(id)) {
                        sendFor(id, new RunnerMessages.Failed("the model's runner was ended because another request "
                                + reason + "; send this request again", EngineException.Kind.RUNTIME.name()));
                    }
                }
                out.flush();
                Runtime.getRuntime().halt(5);
            }
        }

        @Override
        public void beat() {
            sendFor(0, new RunnerMessages.Beat());
        }
    }
}
