package io.modeld.runtime;

import io.modeld.Json;
import io.modeld.engine.ChatLayer;
import io.modeld.engine.ChatTemplates;
import io.modeld.engine.EngineException;
import io.modeld.engine.Generation;
import io.modeld.engine.Generator;
import io.modeld.engine.LlamaEngine;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runner: a child process of the daemon that holds llama.cpp (bound with JNA) and at most one model. It
 * loads the engine as soon as it starts and says {@code ready}, so a spare runner waits with everything but
 * the model in place; then it serves load, generate, render, embed, rerank and unload requests from standard
 * input, answering on standard output; every request carries an id its events repeat.
 *
 * <p>Threads: the {@link RunnerChannel} reads standard input (a stop takes effect at once, even inside a
 * long step); the decode loop runs the slots ({@link Generator}): between two decodes it reads what came in,
 * starts generations prepared for free slots ({@link GenerationQueue}) and answers loads, unloads,
 * embeddings and reranks; the {@link Preparer} renders, tokenizes and builds samplers for the generations to
 * come and answers renders and template checks, so a long one never holds up the slots; the
 * {@link StepWatch} ends a step past its deadline. llama.cpp's log goes to standard error. When standard
 * input ends (the daemon let it go, or died) the runner exits.
 */
public final class RunnerMain {

    /** The folder of llama.cpp's libraries, set by the daemon on the runner's command line. */
    static final String LLAMA_DIR = "modeld.llama.dir";
    /** The GPU backend to load ({@link io.modeld.engine.Gpu}), and the devices it may use; set by the daemon. */
    static final String GPU = "modeld.gpu";
    static final String GPU_DEVICES = "modeld.gpu.devices";
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

    private final RunnerChannel channel;
    private final StepWatch.Lane decodeLane = new StepWatch.Lane();
    private final StepWatch.Lane prepareLane = new StepWatch.Lane();
    private final Preparer preparer;
    private final boolean templateCheck;
    private volatile long stepNanos = TimeUnit.MILLISECONDS.toNanos(DEFAULT_STEP_MILLIS);
    private LlamaEngine engine;
    private JobMaker jobs;
    private GenerationQueue queue;
    private volatile RunnerModel held;

    private RunnerMain(PrintStream out, boolean templateCheck) {
        this.channel = new RunnerChannel(out);
        this.templateCheck = templateCheck;
        this.preparer = new Preparer(prepareLane, () -> stepNanos);
    }

    /**
     * Runs until standard input ends; returns the exit code. A runner that only checks templates
     * ({@code templateCheck}) refuses to load a model: its limits are a check's.
     */
    public static int run(boolean templateCheck) {
        PrintStream protocol = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
                1 << 16), false, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but protocol lines may reach standard output
        RunnerMain runner = new RunnerMain(protocol, templateCheck);
        try {
            String dir = System.getProperty(LLAMA_DIR, "");
            if (dir.isEmpty()) {
                throw new EngineException(EngineException.Kind.LIBRARY, "no llama.cpp is bundled for this platform ("
                        + System.getProperty("os.name") + ", " + System.getProperty("os.arch") + "); give a build of "
                        + LlamaEngine.SUPPORTED + " with --llama-lib DIR");
            }
            io.modeld.engine.Gpu gpu = templateCheck ? io.modeld.engine.Gpu.NONE
                    : io.modeld.engine.Gpu.of(System.getProperty(GPU, "none"));
            RunnerLauncher.visibleDevices(System.getProperty(GPU_DEVICES, ""));
            runner.engine = LlamaEngine.load(Path.of(dir), true, gpu);
        } catch (EngineException e) {
            runner.channel.fail(0, e);
            return 3;
        }
        runner.jobs = new JobMaker(runner.engine, runner.channel);
        runner.queue = new GenerationQueue(runner.channel, runner.preparer, runner.jobs);
        runner.channel.send(0, new RunnerMessages.Ready(runner.engine.version(), runner.engine.devices(),
                runner.engine.gpuNote()));
        runner.channel.listen(System.in);
        runner.preparer.start();
        new StepWatch(List.of(runner.decodeLane, runner.prepareLane), runner.channel::stopped, runner.new Expiry())
                .start();
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
            Object item = busy ? channel.inbox.poll() : channel.inbox.take();
            while (item != null) {
                if (item == RunnerChannel.END) {
                    return;
                }
                if (item instanceof GenerationQueue.Prepared p) {
                    queue.start(p, held);
                } else {
                    handle((String) item);
                }
                item = channel.inbox.poll();
            }
            h = held;
            if (h != null && h.generator != null) {
                queue.feed(h);
                try {
                    h.generator.step();
                } catch (EngineException e) {
                    // failAll told each generation; the slots start afresh
                }
                channel.flushDue();
            }
        }
    }

    private void handle(String line) {
        RunnerMessages.Request r;
        long id;
        try {
            var tree = Json.MAPPER.readTree(line);
            id = tree.path(RunnerMessages.ID).asLong();
            r = Json.MAPPER.treeToValue(tree, RunnerMessages.Request.class);
        } catch (IOException e) {
            channel.send(RunnerChannel.idOf(line), new RunnerMessages.Failed("unreadable request: " + e.getMessage(),
                    "RUNTIME"));
            return;
        }
        try {
            if (r instanceof RunnerMessages.Stop) {
                queue.stop(id);
            } else if (r instanceof RunnerMessages.Load load) {
                load(load);
                channel.send(id, held.loaded());
            } else if (r instanceof RunnerMessages.Unload) {
                unload();
                channel.send(id, new RunnerMessages.Unloaded());
            } else if (r instanceof RunnerRequest g) {
                RunnerModel h = model();
                if (h.generator == null) {
                    throw new EngineException(EngineException.Kind.INPUT, "the model was loaded as " + h.role
                            + ", not to generate");
                }
                queue.add(h, id, g);
            } else if (r instanceof RunnerMessages.Render rr) {
                RunnerModel h = model();
                preparer.submit(id, "rendering the chat template", () -> channel.send(id,
                        jobs.rendered(h, rr.chat(), rr.count())), e -> channel.fail(id, e));
            } else if (r instanceof RunnerMessages.Tokenize t) {
                RunnerModel h = model();
                preparer.submit(id, t.tokens() == null ? "tokenizing" : "detokenizing", () -> channel.send(id,
                        JobMaker.tokens(h, t)), e -> channel.fail(id, e));
            } else if (r instanceof RunnerMessages.Caps c) {
                limitForCheck(c);
                preparer.submit(id, "reading the chat template", () -> caps(id, c), e -> channel.fail(id, e));
            } else if (r instanceof RunnerMessages.Slots sl) {
                channel.send(id, slots(model(), sl));
            } else if (r instanceof RunnerMessages.Embed e) {
                RunnerModel h = model();
                vectors(id, watched("embedding", id, () -> h.embed(e.inputs(), e.tokens(), e.truncate())));
            } else if (r instanceof RunnerMessages.Rerank rr) {
                RunnerModel h = model();
                vectors(id, watched("reranking", id, () -> h.rerank(rr.query(), rr.documents(), rr.truncate())));
            }
        } catch (EngineException e) {
            channel.fail(id, e);
        } catch (RuntimeException e) {
            channel.send(id, new RunnerMessages.Failed(e.toString(), "RUNTIME"));
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

    /** Frees the model, failing what waits for it, and gives freed heap back to the system. */
    private void unload() {
        EngineException gone = new EngineException(EngineException.Kind.RUNTIME, "the model was unloaded");
        queue.failAll(gone);
        RunnerModel h = held;
        held = null;
        if (h != null) {
            if (h.generator != null) {
                h.generator.persist();   // its prompts, found again on the next load of the model
                h.generator.failAll(gone);
            }
            h.close();
        }
        NativeMemory.trim();
    }

    /** A slot action on the generator, between two decodes (on the decode thread, as every slot change is). */
    private static RunnerMessages.SlotsOut slots(RunnerModel h, RunnerMessages.Slots r) throws EngineException {
        if (h.generator == null) {
            throw new EngineException(EngineException.Kind.INPUT, "the model was loaded as " + h.role
                    + ", which has no slots");
        }
        long[] moved = switch (r.action()) {
            case "list" -> new long[] {0, 0};
            case "save" -> h.generator.slotFiles().save(r.slot(), Path.of(r.file()));
            case "restore" -> h.generator.slotFiles().restore(r.slot(), Path.of(r.file()));
            case "erase" -> new long[] {h.generator.slotFiles().erase(r.slot()), 0};
            default -> throw new EngineException(EngineException.Kind.INPUT, "no slot action " + r.action());
        };
        return new RunnerMessages.SlotsOut(h.generator.slotFiles().states(), moved[0], moved[1]);
    }

    private RunnerModel model() throws EngineException {
        RunnerModel h = held;
        if (h == null) {
            throw new EngineException(EngineException.Kind.RUNTIME, "no model is loaded in this runner");
        }
        return h;
    }

    /** A template check's step limit, and its memory and processor time (it reads what no one checked yet). */
    private void limitForCheck(RunnerMessages.Caps c) throws EngineException {
        if (c.stepMillis() > 0) {
            stepNanos = TimeUnit.MILLISECONDS.toNanos(c.stepMillis());
        }
        if (c.memoryBytes() > 0 && !NativeMemory.limit(c.memoryBytes(),
                Math.max(5, DECODE_STEPS * TimeUnit.NANOSECONDS.toSeconds(stepNanos)))) {
            throw new EngineException(EngineException.Kind.RUNTIME, "the runner cannot limit its memory here");
        }
    }

    /** What a template can do, by llama.cpp's chat layer (needs no model). */
    private void caps(long id, RunnerMessages.Caps c) throws EngineException {
        ChatLayer layer = engine.chat();
        if (layer == null) {
            throw new EngineException(EngineException.Kind.LIBRARY, "the llama.cpp in use has no chat layer");
        }
        try (ChatTemplates t = layer.templates(c.template(), c.bos(), c.eos())) {
            channel.send(id, new RunnerMessages.CapsOut(Json.MAPPER.convertValue(t.caps(),
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
        channel.send(id, new RunnerMessages.VectorsOut(encoded, p.tokens()));
    }

    /** Tells the watchdog what the decode loop's slots do. */
    private final class DecodeWatch implements Generation.Watch {
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
            channel.endFor(step, reason);
        }

        @Override
        public void beat() {
            channel.send(0, new RunnerMessages.Beat());
        }

        @Override
        public void tick() {
            channel.flushDue();
        }
    }
}
