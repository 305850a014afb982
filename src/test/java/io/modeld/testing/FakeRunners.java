package io.modeld.testing;

import io.modeld.engine.Generation;
import io.modeld.runtime.GenerationOutput;
import io.modeld.runtime.ModelRunner;
import io.modeld.runtime.RunnerFactory;
import io.modeld.runtime.RunnerFailure;
import io.modeld.runtime.RunnerRequest;
import io.modeld.runtime.RunnerResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runners without llama.cpp, as Ollama's scheduler tests swap {@code newServerFn}: they load at once,
 * generate one token ({@link #piece}) per {@link #step} a test grants (or at once when {@link #free}), keep
 * every request they were given, and can be made to die. The scheduler and the inference core cannot tell
 * them from processes; their tests then run in milliseconds.
 */
public final class FakeRunners implements RunnerFactory {

    private final List<Fake> started = new CopyOnWriteArrayList<>();
    private final List<Fake> checkers = new CopyOnWriteArrayList<>();
    private final AtomicLong pids = new AtomicLong(1000);
    /** Tokens the test lets generations make; none is needed when {@link #free}. */
    public final Semaphore step = new Semaphore(0);
    public volatile boolean free = true;
    public volatile long resident;
    /** The text of each generated token. */
    public volatile String piece = "t";
    /** Tokens a generation makes at most, as a context would end it. */
    public volatile int context = 64;
    /** Template checks wait for a {@link #step} each while set. */
    public volatile boolean holdChecks;
    /** Thrown by the next load, when set (then cleared): what no RunnerFailure describes. */
    public volatile Error loadError;
    /** Thrown by the next generation before it starts, when set (then cleared): a prompt refused, say. */
    public volatile RunnerFailure generateFailure;
    /** The GPUs the runners say they found. */
    public volatile List<io.modeld.engine.Device> devices = List.of();
    /** Every generation asked of any runner, in order. */
    public final List<RunnerRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public ModelRunner start() {
        Fake f = new Fake(pids.incrementAndGet());
        started.add(f);
        return f;
    }

    /** A runner that only reads templates: one of {@link #checkers}, not of {@link #started}. */
    @Override
    public ModelRunner startChecker() {
        Fake f = new Fake(pids.incrementAndGet());
        checkers.add(f);
        return f;
    }

    /** Every template-checking runner started so far. */
    public List<Fake> checkers() {
        return List.copyOf(checkers);
    }

    /** Every runner started so far, the first first. */
    public List<Fake> started() {
        return List.copyOf(started);
    }

    /** The runners alive now. */
    public List<Fake> alive() {
        return started.stream().filter(Fake::alive).toList();
    }

    /** A fake runner: what it was asked, and its life. */
    public final class Fake implements ModelRunner {
        final long pid;
        public final List<List<Path>> loads = new CopyOnWriteArrayList<>();
        private final List<Runnable> onExit = new CopyOnWriteArrayList<>();
        private volatile boolean alive = true;
        public volatile boolean holding;
        /** The memory limit the last template check was given. */
        public volatile long capsLimit;
        /** The slots of the last load. */
        public volatile int parallel;
        /** Generations running in it now. */
        public final java.util.concurrent.atomic.AtomicInteger generating = new java.util.concurrent.atomic.AtomicInteger();

        Fake(long pid) {
            this.pid = pid;
        }

        @Override
        public Loaded load(Load load) throws RunnerFailure {
            requireAlive();
            Error e = loadError;
            if (e != null) {
                loadError = null;
                if (!free) {
                    step.acquireUninterruptibly();
                }
                throw e;
            }
            loads.add(load.files());
            holding = true;
            this.parallel = load.parallel();
            return new Loaded(load.context(), 32, load.context(), null, null, load.placement(), null);
        }

        @Override
        public List<io.modeld.engine.Device> devices() {
            return devices;
        }

        @Override
        public void unload() throws RunnerFailure {
            requireAlive();
            holding = false;
        }

        @Override
        public RunnerResult generate(RunnerRequest request, GenerationOutput out) throws RunnerFailure {
            requests.add(request);
            RunnerFailure refused = generateFailure;
            if (refused != null) {
                generateFailure = null;
                throw refused;
            }
            generating.incrementAndGet();
            try {
                out.started(3, 0);
                int made = 0;
                for (; made < Math.min(request.maxTokens(), context); made++) {
                    if (!free) {
                        step.acquireUninterruptibly();
                    }
                    requireAlive();
                    out.text(piece);
                }
                return new RunnerResult(3, 0, made, Generation.Finish.LENGTH, 0, 1, 1, null, null);
            } finally {
                generating.decrementAndGet();
            }
        }

        @Override
        public io.modeld.runtime.RenderedPrompt render(io.modeld.engine.ChatRequest chat, boolean count)
                throws RunnerFailure {
            requireAlive();
            String prompt = chat.messages().toString();
            return new io.modeld.runtime.RenderedPrompt(prompt, count ? prompt.length() : -1);
        }

        @Override
        public io.modeld.runtime.TokenText tokenize(String content, boolean addSpecial, boolean parseSpecial,
                                                   int[] tokens) throws RunnerFailure {
            requireAlive();
            int[] ids = tokens != null ? tokens : content.chars().toArray();
            return new io.modeld.runtime.TokenText(ids, java.util.Arrays.stream(ids).mapToObj(Character::toString)
                    .toList(), java.util.Arrays.stream(ids).mapToObj(Character::toString).collect(
                    java.util.stream.Collectors.joining()));
        }

        @Override
        public java.util.Map<String, Object> caps(String template, String bos, String eos, long memoryBytes)
                throws RunnerFailure {
            requireAlive();
            capsLimit = memoryBytes;
            if (holdChecks) {
                step.acquireUninterruptibly();
            }
            return java.util.Map.of("supports_tools", template.contains("tools"));
        }

        @Override
        public Pooled pool(String query, List<String> inputs, List<int[]> tokens, boolean truncate) throws RunnerFailure {
            requireAlive();
            List<float[]> out = new ArrayList<>();
            for (int i = 0; i < (tokens != null ? tokens.size() : inputs.size()); i++) {
                out.add(new float[] {i, 1});
            }
            return new Pooled(out, out.size());
        }

        private void requireAlive() throws RunnerFailure {
            if (!alive) {
                throw new RunnerFailure(RunnerFailure.Kind.DIED, "the fake runner " + pid + " died");
            }
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public boolean alive() {
            return alive;
        }

        @Override
        public long residentBytes() {
            return resident;
        }

        @Override
        public void onExit(Runnable action) {
            onExit.add(action);
        }

        /** Dies as a killed process does: its exit actions run. */
        public void die() {
            alive = false;
            onExit.forEach(Runnable::run);
        }

        @Override
        public void close() {
            if (alive) {
                die();
            }
        }
    }
}
