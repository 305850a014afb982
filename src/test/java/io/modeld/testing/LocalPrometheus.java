package io.modeld.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's Prometheus on a free loopback port, scraping one target every second (CI installs it; see .ci/run), and
 * its query API.
 */
public final class LocalPrometheus implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final int port;

    private LocalPrometheus(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/prometheus"));
    }

    /** Scrapes {@code http://127.0.0.1:targetPort/metrics}, with {@code bearer} when not null. */
    public static LocalPrometheus start(Path dir, int targetPort, String bearer) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
                + "scrape_configs:\n  - job_name: modeld\n    static_configs: [{targets: ['127.0.0.1:" + targetPort + "']}]\n"
                + (bearer == null ? "" : "    authorization: {credentials: '" + bearer + "'}\n"));
        Process p = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        LocalPrometheus prometheus = new LocalPrometheus(p, port);
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return prometheus;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > end || !p.isAlive()) {
                p.destroyForcibly();
                throw new IllegalStateException("prometheus did not start: " + Files.readString(dir.resolve("prometheus.log")));
            }
            Thread.sleep(100);
        }
    }

    /** The result vector of an instant PromQL query (empty when nothing matches yet). */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        String body = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        return Json.MAPPER.readTree(body).path("data").path("result");
    }

    /** The target's health as Prometheus last scraped it ("up", "down", "unknown") and its last error. */
    public String target() throws IOException, InterruptedException {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/targets")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonNode t = Json.MAPPER.readTree(body).path("data").path("activeTargets").path(0);
        return t.path("health").asText() + " " + t.path("lastError").asText();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
