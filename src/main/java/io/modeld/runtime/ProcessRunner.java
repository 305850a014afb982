package io.modeld.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's handle on one runner process ({@link RunnerMain}): sends requests down its standard
 * input; its output ({@link RunnerOutput}) hands each event to the call of its request. Requests may be in
 * flight together (the generations of a model's slots): each gets an id. A
 * runner holds at most one model; after {@link #unload} it can take another. Closing standard input ends
 * it; one that does not end is killed.
 */
final class ProcessRunner implements ModelRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);

    private final Process process;
    private final OutputStream stdin;
    private final AtomicLong ids = new AtomicLong();
    private final RunnerOutput output;
    private final String version;
    /** The limit of one step of a request in the runner ({@link StepWatch}). */
    private final Duration step;

    private ProcessRunner(Process process, Duration step) throws RunnerFailure {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.step = step;
        this.output = new RunnerOutput(process, step, this::close);
        RunnerOutput.Call start = output.open(0);
        output.read();
        RunnerMessages.Event e = start.next(START_TIMEOUT, "start");
        start.close();
        if (!(e instanceof RunnerMessages.Ready ready)) {
            close();
            throw failure(e, "the runner could not start llama.cpp");
        }
        this.version = ready.version();
        this.devices = ready.devices() == null ? List.of() : List.copyOf(ready.devices());
        this.gpuNote = ready.gpuNote();
    }

    private final List<io.modeld.engine.Device> devices;
    private final String gpuNote;

    @Override
    public List<io.modeld.engine.Device> devices() {
        return devices;
    }

    @Override
    public String gpuNote() {
        return gpuNote;
    }

    /** Sends {@code r} as a new call; its events come to the call. */
    private RunnerOutput.Call call(RunnerMessages.Request r) throws RunnerFailure {
        RunnerOutput.Call c = output.open(ids.incrementAndGet());
        try {
            send(c.id, r);
        } catch (RunnerFailure e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Sends {@code r} and waits for its one answer (at most {@code timeout}; null: as long as it takes). */
    private RunnerMessages.Event ask(RunnerMessages.Request r, Duration timeout, String what) throws RunnerFailure {
        try (RunnerOutput.Call c = call(r)) {
            return timeout == null ? c.take() : c.next(timeout, what);
        }
    }

    /**
     * Starts a runner with {@code command}, its requests' steps limited to {@code step}; returns once llama.cpp
     * is loaded in it.
     */
    static ProcessRunner start(List<String> command, Duration step) throws RunnerFailure {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            RunnerLauncher.cleanEnvironment(builder.environment());
            return new ProcessRunner(builder.start(), step);
        } catch (IOException e) {
            throw new RunnerFailure(RunnerFailure.Kind.DIED, "cannot start a runner process: " + e.getMessage());
        }
    }

    /** llama.cpp's version in this runner. */
    String version() {
        return version;
    }

    @Override
    public Loaded load(Load load) throws RunnerFailure {
        RunnerMessages.Event e = ask(new RunnerMessages.Load(load.files().stream().map(Path::toString).toList(),
                load.context(), load.threads(), load.role().name(), load.meanPooling(), load.parallel(), step.toMillis(),
                load.memoryBytes(), load.kv().type().wire(), load.kv().flash().wire(), load.cache(), load.draft(),
                load.draftFiles().stream().map(Path::toString).toList(),
                load.projector() == null ? null : load.projector().toString(), load.placement()), LOAD_TIMEOUT, "load");
        if (!(e instanceof RunnerMessages.Loaded l)) {
            throw failure(e, "llama.cpp could not load " + load.files().get(0).getFileName());
        }
        return new Loaded(l.context(), l.embeddingSize(), l.trainedContext(), l.draftProblem(), l.mediaProblem(),
                l.placement() == null ? io.modeld.engine.Placement.CPU : l.placement(), l.gpuProblem());
    }

    /** Frees the model; the runner stays, ready for the next one. */
    @Override
    public void unload() throws RunnerFailure {
        RunnerMessages.Event e = ask(new RunnerMessages.Unload(), LOAD_TIMEOUT, "unload");
        if (!(e instanceof RunnerMessages.Unloaded)) {
            throw failure(e, "the runner could not unload its model");
        }
    }

    /**
     * Generates, giving {@code out} each piece of the answer, the reasoning and the tool calls. When
     * {@code out} throws (the client went away), the runner is told to stop and its remaining events are read
     * up to "done" before the exception goes on: they must not reach the next request.
     */
    @Override
    public RunnerResult generate(RunnerRequest request, GenerationOutput out) throws RunnerFailure {
        try (MediaHandoff media = MediaHandoff.of(request); RunnerOutput.Call c = call(media.request())) {
            return generate(c, out);
        }
    }

    private RunnerResult generate(RunnerOutput.Call call, GenerationOutput out) throws RunnerFailure {
        RuntimeException[] abandoned = {null};
        Runnable idle = () -> {
            if (abandoned[0] == null) {
                try {
                    out.waiting();
                } catch (RuntimeException gone) {
                    abandoned[0] = gone;
                    stop(call);
                }
            }
        };
        while (true) {
            RunnerMessages.Event e = call.take(idle);
            if (e instanceof RunnerResult done) {
                if (abandoned[0] != null) {
                    throw abandoned[0];
                }
                return done;
            }
            if (!(e instanceof RunnerMessages.Token || e instanceof RunnerMessages.Thought
                    || e instanceof RunnerMessages.ToolCall || e instanceof RunnerMessages.Started)) {
                throw failure(e, "generation failed");
            }
            if (abandoned[0] == null) {
                try {
                    if (e instanceof RunnerMessages.Started st) {
                        out.started(st.promptTokens(), st.cachedTokens());
                    } else if (e instanceof RunnerMessages.Token t) {
                        out.text(t.text());
                    } else if (e instanceof RunnerMessages.Thought t) {
                        out.thinking(t.text());
                    } else if (e instanceof RunnerMessages.ToolCall c) {
                        out.toolCall(new GenerationOutput.ToolCallDelta(c.index(), c.id(), c.name(), c.arguments()));
                    }
                } catch (RuntimeException gone) {
                    abandoned[0] = gone;
                    stop(call);
                }
            }
        }
    }

    /** Tells the runner to stop a generation whose client left; a runner already gone needs no telling. */
    private void stop(RunnerOutput.Call call) {
        try {
            send(call.id, new RunnerMessages.Stop());
        } catch (RunnerFailure gone) {
            // its end will come as the runner's death
        }
    }

    @Override
    public RenderedPrompt render(io.modeld.engine.ChatRequest chat, boolean count) throws RunnerFailure {
        RunnerMessages.Event e = ask(new RunnerMessages.Render(chat, count), null, "render");
        if (!(e instanceof RenderedPrompt r)) {
            throw failure(e, "the chat template could not be applied");
        }
        return r;
    }

    @Override
    public TokenText tokenize(String content, boolean addSpecial, boolean parseSpecial, int[] tokens) throws RunnerFailure {
        RunnerMessages.Event e = ask(new RunnerMessages.Tokenize(content, addSpecial, parseSpecial, tokens), null,
                "tokenize");
        if (!(e instanceof TokenText t)) {
            throw failure(e, "the text could not be tokenized");
        }
        return t;
    }

    @Override
    public Slots slots(String action, int slot, Path file) throws RunnerFailure {
        RunnerMessages.Event e = ask(new RunnerMessages.Slots(action, slot, file == null ? null : file.toString()),
                null, "slots");
        if (!(e instanceof RunnerMessages.SlotsOut s)) {
            throw failure(e, "the slot action failed");
        }
        return new Slots(s.slots(), s.tokens(), s.bytes());
    }

    @Override
    public java.util.Map<String, Object> caps(String template, String bos, String eos, long memoryBytes)
            throws RunnerFailure {
        RunnerMessages.Event e = ask(new RunnerMessages.Caps(template, bos, eos, step.toMillis(), memoryBytes), null,
                "template check");
        if (!(e instanceof RunnerMessages.CapsOut c)) {
            throw failure(e, "the chat template could not be read");
        }
        return c.caps();
    }

    /**
     * Embeds the inputs (text, or token ids when {@code tokens} is not null), or, with a {@code query},
     * scores the documents in {@code inputs} against it on a reranker.
     */
    @Override
    public Pooled pool(String query, List<String> inputs, List<int[]> tokens, boolean truncate) throws RunnerFailure {
        RunnerMessages.Event e = ask(query == null ? new RunnerMessages.Embed(inputs, tokens, truncate)
                : new RunnerMessages.Rerank(query, inputs, truncate), null, "pooling");
        if (!(e instanceof RunnerMessages.VectorsOut out)) {
            throw failure(e, query == null ? "embedding failed" : "reranking failed");
        }
        List<float[]> vectors = new ArrayList<>(out.vectors().size());
        for (String b64 : out.vectors()) {
            ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[b.remaining() / 4];
            b.asFloatBuffer().get(v);
            vectors.add(v);
        }
        return new Pooled(vectors, out.promptTokens());
    }

    private RunnerFailure failure(RunnerMessages.Event e, String what) {
        if (e instanceof RunnerMessages.Failed f) {
            return new RunnerFailure(RunnerFailure.Kind.of(f.kind()), f.message());
        }
        return new RunnerFailure(RunnerFailure.Kind.DIED, what + ": the runner exited (" + exitDescription() + ")"
                + output.stderrSummary());
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean alive() {
        return !output.ending() && process.isAlive();
    }

    /** What the runner really uses: its resident set size, read from /proc; 0 when unknown. */
    @Override
    public long residentBytes() {
        return residentBytes(process.pid());
    }

    /** The resident set size of process {@code pid}, read from /proc; 0 when unknown. */
    static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or the process is gone.
        }
        return 0;
    }

    /** Runs {@code action} once the runner process has exited, whatever the reason. */
    @Override
    public void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    private synchronized void send(long id, RunnerMessages.Request r) throws RunnerFailure {
        try {
            ObjectNode line = Json.MAPPER.valueToTree(r);
            line.put(RunnerMessages.ID, id);
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new RunnerFailure(RunnerFailure.Kind.DIED, "the runner is gone (" + exitDescription() + ")"
                    + output.stderrSummary());
        }
    }

    private String exitDescription() {
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                int code = process.exitValue();
                return code > 128 ? "killed by signal " + (code - 128) : "exit code " + code;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "still running";
    }

    /** Ends the runner: closing its input asks it to exit; after 2 s it is killed. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // Already gone.
        }
        try {
            // the runner writes its prompt cache to disk as it ends (a file half written is never used)
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
