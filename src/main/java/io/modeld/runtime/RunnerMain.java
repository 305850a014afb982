package io.modeld.runtime;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import de.kherud.llama.args.LogFormat;
import io.modeld.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The runner: a child process of the daemon that holds one model in llama.cpp. It reads requests from
 * standard input and answers on standard output, one generation at a time; llama.cpp's own log goes
 * to standard error. When standard input ends (unload, or the daemon died) it exits, and the operating
 * system takes back every byte llama.cpp held: java-llama.cpp 4.2.0's close() frees nothing.
 */
public final class RunnerMain {

    /** Marks the end of standard input in {@link #lines}; compared by identity. */
    private static final String END = new String("end of input");

    private final PrintStream out;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private LlamaModel model;

    private RunnerMain(PrintStream out) {
        this.out = out;
    }

    /** Runs until standard input ends; returns the exit code. */
    public static int run() {
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but protocol lines may reach standard output
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> System.err.print(message));
        RunnerMain runner = new RunnerMain(protocol);
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
            send(new RunnerMessages.Event("error", null, null, "unreadable request: " + e.getMessage()));
            return;
        }
        try {
            switch (r.op()) {
                case "load" -> load(r);
                case "generate" -> generate(r);
                case "stop" -> {
                    // Came after its generation ended on its own: nothing to stop, nothing to answer.
                }
                default -> send(new RunnerMessages.Event("error", null, null, "unknown op " + r.op()));
            }
        } catch (RuntimeException e) {
            send(new RunnerMessages.Event("error", null, null, String.valueOf(e.getMessage())));
        }
    }

    private void load(RunnerMessages.Request r) {
        model = new LlamaModel(new ModelParameters().setModel(r.model()).setCtxSize(r.context())
                .setThreads(r.threads()));
        send(new RunnerMessages.Event("loaded", null, null, null));
    }

    private void generate(RunnerMessages.Request r) {
        if (model == null) {
            send(new RunnerMessages.Event("error", null, null, "no model loaded"));
            return;
        }
        String prompt = r.prompt();
        if (r.messages() != null) {
            String system = "";
            List<Pair<String, String>> turns = new ArrayList<>();
            for (RunnerMessages.Message m : r.messages()) {
                if (m.role().equals("system")) {
                    system = m.content();
                } else {
                    turns.add(new Pair<>(m.role(), m.content()));
                }
            }
            prompt = model.applyTemplate(new InferenceParameters("").setMessages(system, turns));
        }
        InferenceParameters p = new InferenceParameters(prompt).setNPredict(r.maxTokens())
                .setTemperature(r.temperature()).setSeed(r.seed())
                .setIgnoreEos(Boolean.TRUE.equals(r.ignoreEos()));
        if (r.stop() != null && !r.stop().isEmpty()) {
            p.setStopStrings(r.stop().toArray(String[]::new));
        }
        int tokens = 0;
        LlamaIterator it = model.generate(p).iterator();
        while (it.hasNext()) {
            LlamaOutput o = it.next();
            tokens++;
            send(new RunnerMessages.Event("token", o.text, null, null));
            String next = lines.peek();
            if (next != null && (next == END || isStop(next))) {
                if (next != END) {
                    lines.poll();
                }
                it.cancel();
                break;
            }
        }
        send(new RunnerMessages.Event("done", null, tokens, null));
    }

    private static boolean isStop(String line) {
        try {
            return "stop".equals(Json.MAPPER.readValue(line, RunnerMessages.Request.class).op());
        } catch (IOException e) {
            return false;
        }
    }

    private void send(RunnerMessages.Event e) {
        try {
            out.println(Json.MAPPER.writeValueAsString(e));
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
