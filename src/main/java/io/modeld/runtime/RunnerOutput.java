package io.modeld.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a runner process says, read on two threads of its own: its events, each handed to the {@link Call} of
 * its request's id (a beat only says it lives; "ending" that it takes no more requests), and the last lines of
 * llama.cpp's log on standard error, for the words of a failure.
 */
final class RunnerOutput {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);
    private static final RunnerMessages.Event DIED = new RunnerMessages.Died();
    private static final int STDERR_LINES_KEPT = 20;
    private static final Duration SILENCE_MARGIN = Duration.ofSeconds(30);

    private final Process process;
    private final Duration step;
    /** The events of each request in flight, by id; id 0 is the runner's start. */
    private final Map<Long, BlockingQueue<RunnerMessages.Event>> calls = new ConcurrentHashMap<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private volatile boolean died;
    private volatile boolean ending;
    /** When the runner last said anything (a beat counts): a runner silent past every step's deadline hangs. */
    private volatile long lastHeard = System.nanoTime();
    /** What to do with a runner that hangs (end it). */
    private final Runnable hung;

    /** @param step the limit of one step of a request in the runner ({@link StepWatch}) */
    RunnerOutput(Process process, Duration step, Runnable hung) {
        this.process = process;
        this.step = step;
        this.hung = hung;
    }

    /** Starts reading (after the start's call is open, so that "ready" finds it). */
    void read() {
        daemonThread(this::readEvents, "modeld-runner-" + process.pid() + "-out");
        daemonThread(this::readStderr, "modeld-runner-" + process.pid() + "-err");
    }

    /** Whether the runner said it is ending. */
    boolean ending() {
        return ending;
    }

    /** A call for the events of request {@code id}, from now on. */
    Call open(long id) {
        return new Call(id);
    }

    /** One request in flight: its id and the events the runner sends for it. */
    final class Call implements AutoCloseable {
        final long id;
        private final BlockingQueue<RunnerMessages.Event> events = new LinkedBlockingQueue<>();

        private Call(long id) {
            this.id = id;
            calls.put(id, events);
            if (died) {
                events.add(DIED);
            }
        }

        /** The next event within {@code timeout}; the runner is ended when none comes. */
        RunnerMessages.Event next(Duration timeout, String what) throws RunnerFailure {
            try {
                RunnerMessages.Event e = events.poll(timeout.toSeconds(), TimeUnit.SECONDS);
                if (e == null) {
                    hung.run();
                    throw new RunnerFailure(RunnerFailure.Kind.DIED, "the runner did not finish its " + what
                            + " within " + timeout.toSeconds() + " s" + stderrSummary());
                }
                return e;
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new RunnerFailure(RunnerFailure.Kind.DIED, "interrupted while waiting for the runner's " + what);
            }
        }

        /**
         * The next event, however long the work takes, unless the runner falls silent for longer than its
         * longest step may take (its watchdog ends such a step, and a long one sends beats): then it hangs
         * below its watchdog, and it is ended.
         */
        RunnerMessages.Event take() throws RunnerFailure {
            return take(() -> { });
        }

        /** The same, running {@code idle} each second nothing comes. */
        RunnerMessages.Event take(Runnable idle) throws RunnerFailure {
            long silence = step.multipliedBy(RunnerMain.DECODE_STEPS).plus(SILENCE_MARGIN).toNanos();
            try {
                while (true) {
                    RunnerMessages.Event e = events.poll(1, TimeUnit.SECONDS);
                    if (e != null) {
                        return e;
                    }
                    idle.run();
                    if (System.nanoTime() - lastHeard > silence) {
                        hung.run();
                        throw new RunnerFailure(RunnerFailure.Kind.DIED, "the runner said nothing for "
                                + TimeUnit.NANOSECONDS.toSeconds(silence) + " s, longer than any step may take; it "
                                + "was ended, and the model loads again for the next request");
                    }
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new RunnerFailure(RunnerFailure.Kind.DIED, "interrupted while waiting for the runner");
            }
        }

        @Override
        public void close() {
            calls.remove(id);
        }
    }

    private void readEvents() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lastHeard = System.nanoTime();
                try {
                    JsonNode tree = Json.MAPPER.readTree(line);
                    long id = tree.path(RunnerMessages.ID).asLong();
                    if (id == 0 && "beat".equals(tree.path("event").asText())) {
                        continue;
                    }
                    if (id == 0 && "ending".equals(tree.path("event").asText())) {
                        ending = true;
                        continue;
                    }
                    BlockingQueue<RunnerMessages.Event> call = calls.get(id);
                    if (call != null) {
                        call.add(Json.MAPPER.treeToValue(tree, RunnerMessages.Event.class));
                    } else {
                        LOG.debug("runner {} answered request {}, which no one waits for", process.pid(), id);
                    }
                } catch (IOException e) {
                    LOG.warn("runner {} said something unreadable: {}", process.pid(), line);
                }
            }
        } catch (IOException e) {
            // The runner is gone.
        }
        died = true;
        calls.values().forEach(q -> q.add(DIED));
    }

    private void readStderr() {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                LOG.debug("runner {}: {}", process.pid(), line);
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // The runner is gone.
        }
    }

    /** What llama.cpp last said of errors and failures, for a failure's words ("" when nothing). */
    String stderrSummary() {
        List<String> lines;
        synchronized (stderrTail) {
            lines = stderrTail.stream().filter(l -> l.contains("error") || l.contains("failed")).toList();
        }
        return lines.isEmpty() ? "" : "; llama.cpp said: " + String.join(" | ", lines);
    }

    private static void daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }
}
