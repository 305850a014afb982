package io.modeld.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code modeld serve} as a real child process on a free port, for tests that must kill the daemon
 * outright (SIGKILL), which an in-process {@link TestDaemon} cannot survive.
 */
public final class DaemonProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private DaemonProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code modeld serve --port 0 --data-dir dataDir} plus {@code extra}; returns once it serves. */
    public static DaemonProcess start(Path dataDir, String... extra) throws IOException {
        return start(null, dataDir, extra);
    }

    /**
     * The same with {@code env} added to the daemon's environment; without one, the user's own model
     * stores (Ollama's, the Hugging Face cache) are left out with {@code --no-library}.
     */
    public static DaemonProcess start(Map<String, String> env, Path dataDir, String... extra) throws IOException {
        return start(env, List.of(), dataDir, extra);
    }

    /** The same with options for the daemon's JVM (a small {@code -Xmx}, say). */
    public static DaemonProcess start(Map<String, String> env, List<String> jvm, Path dataDir, String... extra)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.modeld.Main", "serve", "--port", "0",
                "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(extra));
        // Quiet defaults for tests: no spare runner, nothing on Ollama's port (unless a test asks).
        if (!List.of(extra).contains("--ollama-port")) {
            cmd.addAll(List.of("--ollama-port", "0"));
        }
        if (!List.of(extra).contains("--spare-runner")) {
            cmd.add("--no-spare-runner");
        }
        if (env == null) {
            cmd.add("--no-library");
        }
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (env != null) {
            builder.environment().putAll(env);
        }
        Process p = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.lines().filter(l -> l.contains(" serving ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("modeld exited without serving"));
        // Keep reading its log, or a full pipe would block the daemon on its next log line.
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "daemon-process-log");
        drain.setDaemon(true);
        drain.start();
        Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("no URL in the startup line: " + line);
        }
        return new DaemonProcess(p, Integer.parseInt(m.group(1)));
    }

    public int port() {
        return port;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build());
    }

    public HttpResponse<String> put(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return TestDaemon.client().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed by modeld. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
