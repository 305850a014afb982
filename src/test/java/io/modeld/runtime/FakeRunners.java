package io.modeld.runtime;

import io.modeld.engine.Generation;
import io.modeld.gguf.ModelRole;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runners without llama.cpp, as Ollama's scheduler tests swap {@code newServerFn}: they load at once,
 * generate one token per {@link #step} a test grants (or at once when {@link #free}), and can be made to
 * die. The scheduler cannot tell them from processes; its tests then run in milliseconds.
 */
final class FakeRunners implements RunnerFactory {

    private final List<Fake> started = new CopyOnWriteArrayList<>();
    private final AtomicLong pids = new AtomicLong(1000);
    /** Tokens the test lets generations make; none is needed when {@link #free}. */
    final Semaphore step = new Semaphore(0);
    volatile boolean free = true;
    volatile long resident;
    /** Thrown by the next load, when set (then cleared): what no RunnerFailure describes. */
    volatile Error loadError;

    @Override
    public ModelRunner start() {
        Fake f = new Fake(pids.incrementAndGet());
        started.add(f);
        return f;
    }

    /** Every runner started so far, the first first. */
    List<Fake> started() {
        return List.copyOf(started);
    }

    /** The runners alive now. */
    List<Fake> alive() {
        return started.stream().filter(Fake::alive).toList();
    }

    /** A fake runner: what it was asked, and its life. */
    final class Fake implements ModelRunner {
        final long pid;
        final List<List<Path>> loads = new CopyOnWriteArrayList<>();
        private final List<Runnable> onExit = new CopyOnWriteArrayList<>();
        private volatile boolean alive = true;
        volatile boolean holding;
        /** The memory limit the last template check was given. */
        volatile long capsLimit;
        /** The slots of the last load. */
        volatile int parallel;
        /** Generations running in it now. */
        final java.util.concurrent.atomic.AtomicInteger generating = new java.util.concurrent.atomic.AtomicInteger();

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
            return new Loaded(load.context(), 32, load.context());
        }

        @Override
        public void unload() throws RunnerFailure {
            requireAlive();
            holding = false;
        }

        @Override
        public RunnerResult generate(RunnerRequest request, GenerationOutput out) throws RunnerFailure {
            generating.incrementAndGet();
            try {
                int made = 0;
                for (; made < request.maxTokens(); made++) {
                    if (!free) {
                        step.acquireUninterruptibly();
                    }
                    requireAlive();
                    out.text("t");
                }
                return new RunnerResult(3, 0, made, Generation.Finish.LENGTH, 0, 1, 1);
            } finally {
                generating.decrementAndGet();
            }
        }

        @Override
        public String render(io.modeld.engine.ChatRequest chat) throws RunnerFailure {
            requireAlive();
            return chat.messages().toString();
        }

        @Override
        public java.util.Map<String, Object> caps(String template, String bos, String eos, long memoryBytes)
                throws RunnerFailure {
            requireAlive();
            capsLimit = memoryBytes;
            if (!free) {
                step.acquireUninterruptibly();
            }
            return java.util.Map.of("supports_tools", template.contains("tools"));
        }

        @Override
        public Vectors pool(String query, List<String> inputs, List<int[]> tokens, boolean truncate) throws RunnerFailure {
            requireAlive();
            List<float[]> out = new ArrayList<>();
            for (int i = 0; i < (tokens != null ? tokens.size() : inputs.size()); i++) {
                out.add(new float[] {i, 1});
            }
            return new Vectors(out, out.size());
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
        void die() {
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
