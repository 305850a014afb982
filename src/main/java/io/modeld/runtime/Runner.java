package io.modeld.runtime;

import io.modeld.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's handle on one runner process (started with {@link RunnerLauncher}): sends requests down its standard input and reads events from its standard output. Closing standard
 * input ends the runner; a runner that does not end is killed.
 */
final class Runner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);
    private static final RunnerMessages.Event DIED = new RunnerMessages.Event("died", null, null, null);
    private static final int STDERR_LINES_KEPT = 20;

    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<RunnerMessages.Event> events = new LinkedBlockingQueue<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();

    private Runner(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        daemonThread(this::readEvents, "modeld-runner-" + process.pid() + "-out");
        daemonThread(this::readStderr, "modeld-runner-" + process.pid() + "-err");
    }

    private static void daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Starts a runner with {@code command} and loads {@code model}; returns once the model can generate. */
    static Runner start(List<String> command, Path model, int context, int threads) throws RunnerFailure {
        ProcessBuilder pb = new ProcessBuilder(command);
        Runner runner;
        try {
            runner = new Runner(pb.start());
        } catch (IOException e) {
            throw new RunnerFailure("cannot start a runner process: " + e.getMessage());
        }
        try {
            runner.send(RunnerMessages.Request.load(model.toString(), context, threads));
            RunnerMessages.Event e = runner.events.poll(LOAD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (e == null || !e.event().equals("loaded")) {
                String why = e == null ? "it did not finish within " + LOAD_TIMEOUT.toMinutes() + " minutes"
                        : e.event().equals("error") ? e.message() : "the runner exited (" + runner.exitDescription() + ")";
                runner.close();
                throw new RunnerFailure("llama.cpp could not load " + model.getFileName() + ": " + why
                        + runner.stderrSummary());
            }
            return runner;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runner.close();
            throw new RunnerFailure("interrupted while loading");
        }
    }

    /**
     * Generates, calling {@code onToken} with each piece of text; returns the number of tokens. When
     * {@code onToken} throws (the client went away), the runner is told to stop and its remaining
     * events are read up to "done" before the exception goes on: they must not reach the next request.
     */
    int generate(RunnerMessages.Request request, Consumer<String> onToken) throws RunnerFailure {
        send(request);
        RuntimeException abandoned = null;
        try {
            while (true) {
                RunnerMessages.Event e = events.take();
                switch (e.event()) {
                    case "token" -> {
                        if (abandoned == null) {
                            try {
                                onToken.accept(e.text());
                            } catch (RuntimeException gone) {
                                abandoned = gone;
                                send(RunnerMessages.Request.stopGenerating());
                            }
                        }
                    }
                    case "done" -> {
                        if (abandoned != null) {
                            throw abandoned;
                        }
                        return e.tokens();
                    }
                    case "error" -> throw new RunnerFailure("generation failed: " + e.message());
                    default -> throw new RunnerFailure("the runner exited while generating ("
                            + exitDescription() + ")" + stderrSummary());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerFailure("interrupted");
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** What the runner really uses: its resident set size, read from /proc; 0 when unknown. */
    long residentBytes() {
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
    void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    private synchronized void send(RunnerMessages.Request r) throws RunnerFailure {
        try {
            stdin.write((Json.MAPPER.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new RunnerFailure("the runner is gone (" + exitDescription() + ")");
        }
    }

    private void readEvents() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                try {
                    events.add(Json.MAPPER.readValue(line, RunnerMessages.Event.class));
                } catch (IOException e) {
                    LOG.warn("runner {} said something unreadable: {}", process.pid(), line);
                }
            }
        } catch (IOException e) {
            // The runner is gone.
        }
        events.add(DIED);
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

    private String stderrSummary() {
        List<String> lines;
        synchronized (stderrTail) {
            lines = stderrTail.stream().filter(l -> l.contains("error") || l.contains("failed")).toList();
        }
        return lines.isEmpty() ? "" : "; llama.cpp said: " + String.join(" | ", lines);
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
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
