package io.modeld.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.engine.EngineException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A runner's side of its pipes: request lines come in on a thread of their own into the decode loop's inbox
 * (a stop marks its generation at once, so it takes effect even inside a long step), events go out one JSON
 * line each, and every request is known from its arrival to its last event, so that a runner that must end
 * can tell each one why.
 *
 * <p>Pieces of output (tokens, thoughts, tool-call parts) are written at once but reach the pipe at most every
 * {@value #PIECES_EVERY_MILLIS} ms (within a watchdog tick when a long step runs), with every other event, or as a
 * generation's first piece (its time to
 * first token is unchanged). On two cores, a flush per token woke the daemon's reader and its request's thread
 * once per token; each wake-up took a core from the decode threads, which then waited for it at their next
 * barrier: a 384-dim model generated at 0.74x llama-server's speed with one client and 0.60x with four
 * ({@code bench/parallel.sh}, MODEL=small); with this and a KV stream per slot, 0.90-1.02x and 0.97-0.99x
 * (docs/BENCHMARKS.md, issue 30).
 */
final class RunnerChannel {

    /** Marks the end of standard input in the inbox; compared by identity. */
    static final Object END = new Object();

    private final PrintStream out;
    /** What the decode loop has to do: request lines and prepared generations, in order. */
    final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Stop flags of the generations started, in preparation or waiting, by request id. */
    private final Map<Long, AtomicBoolean> stops = new ConcurrentHashMap<>();
    /** Requests received and not yet answered to the end. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

    static final long PIECES_EVERY_MILLIS = 20;
    private static final long PIECES_EVERY_NANOS = PIECES_EVERY_MILLIS * 1_000_000;
    /** Generations whose first piece went out; guarded by {@code out}. */
    private final Set<Long> flowing = new HashSet<>();
    /** Whether pieces wait in {@code out}'s buffer, and since when the pipe last got any; guarded by {@code out}. */
    private boolean piecesWaiting;
    private long flushedAt;

    /** {@code out} should buffer: this class says when its bytes go to the pipe. */
    RunnerChannel(PrintStream out) {
        this.out = out;
    }

    /** Reads {@code in} on a thread of its own until it ends, then queues {@link #END}. */
    void listen(InputStream in) {
        Thread reader = new Thread(() -> read(in), "runner-stdin");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(InputStream stream) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
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
    static long idOf(String line) {
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

    /** Starts following generation {@code id}'s stop flag. */
    void track(long id) {
        stops.put(id, new AtomicBoolean());
    }

    /** Marks generation {@code id} stopped (from the decode loop, for a stop it read in order). */
    void markStopped(long id) {
        AtomicBoolean flag = stops.get(id);
        if (flag != null) {
            flag.set(true);
        }
    }

    /**
     * A piece of generation {@code id}'s output: sent now when it is the generation's first, else with the next
     * event or the next {@link #flushDue} past {@value #PIECES_EVERY_MILLIS} ms.
     */
    void piece(long id, RunnerMessages.Event e) {
        String text = line(id, e);
        synchronized (out) {
            out.print(text);
            if (flowing.add(id)) {
                flush();
            } else {
                piecesWaiting = true;
            }
        }
    }

    /** Sends the pieces waiting when the last send is {@value #PIECES_EVERY_MILLIS} ms old: after each step. */
    void flushDue() {
        synchronized (out) {
            if (piecesWaiting && System.nanoTime() - flushedAt >= PIECES_EVERY_NANOS) {
                flush();
            }
        }
    }

    private void flush() {
        out.flush();
        piecesWaiting = false;
        flushedAt = System.nanoTime();
    }

    private static String line(long id, RunnerMessages.Event e) {
        ObjectNode line = Json.MAPPER.valueToTree(e);
        line.put(RunnerMessages.ID, id);
        return line.toString() + '\n';
    }

    /** Whether the client of generation {@code id} left. */
    boolean stopped(long id) {
        AtomicBoolean flag = stops.get(id);
        return flag != null && flag.get();
    }

    /** An event of request {@code id}, on one line, sent now; a last event ends the request's time in flight. */
    void send(long id, RunnerMessages.Event e) {
        String text = line(id, e);
        synchronized (out) {
            out.print(text);
            flush();
            flowing.remove(id);
        }
        if (e instanceof RunnerResult || e instanceof RunnerMessages.Failed || e instanceof RunnerMessages.Loaded
                || e instanceof RunnerMessages.Unloaded || e instanceof RenderedPrompt
                || e instanceof RunnerMessages.CapsOut || e instanceof RunnerMessages.VectorsOut) {
            inFlight.remove(id);
            stops.remove(id);
        }
    }

    /** The failure of request {@code id}. */
    void fail(long id, EngineException e) {
        send(id, new RunnerMessages.Failed(e.getMessage(), e.kind().name()));
    }

    /**
     * Ends the runner: says so, tells the requests of the step that ran too long (DEADLINE) and every other in
     * flight (to send again) why, and halts. Nothing else is written meanwhile.
     */
    void endFor(StepWatch.Step step, String reason) {
        synchronized (out) {
            send(0, new RunnerMessages.Ending());
            Set<Long> own = new HashSet<>();
            for (long id : step.ids()) {
                own.add(id);
                send(id, new RunnerMessages.Failed("the model " + reason + "; its runner was ended, and the model "
                        + "loads again for the next request", EngineException.Kind.DEADLINE.name()));
            }
            for (long id : List.copyOf(inFlight)) {
                if (!own.contains(id)) {
                    send(id, new RunnerMessages.Failed("the model's runner was ended because another request " + reason
                            + "; send this request again", EngineException.Kind.RUNTIME.name()));
                }
            }
            out.flush();
            Runtime.getRuntime().halt(5);
        }
    }
}
