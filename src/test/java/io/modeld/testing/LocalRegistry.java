package io.modeld.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on a free loopback port, storing in a folder of
 * the test's, optionally behind htpasswd Basic auth; and a plain uploader (monolithic blob uploads,
 * manifest PUT) that puts content in without going through modeld.
 */
public final class LocalRegistry implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final int port;
    private final String login;

    private LocalRegistry(Process process, int port, String login) {
        this.process = process;
        this.port = port;
        this.login = login;
    }

    /** Whether the registry is installed here (CI installs it; see .ci/run). */
    public static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/docker-registry"));
    }

    public static LocalRegistry start(Path dir) throws IOException, InterruptedException {
        return start(dir, null, null);
    }

    /** Starts it; with a user and password, behind htpasswd Basic auth. */
    public static LocalRegistry start(Path dir, String user, String password) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir);
        String auth = "";
        if (user != null) {
            Process h = new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(false).start();
            String line = new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            h.waitFor(30, TimeUnit.SECONDS);
            Files.writeString(dir.resolve("htpasswd"), line + "\n");
            auth = "auth: {htpasswd: {realm: modeld-test, path: " + dir.resolve("htpasswd") + "}}\n";
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nlog: {level: warn}\n"
                + "storage: {filesystem: {rootdirectory: " + dir.resolve("data") + "}, delete: {enabled: true}}\n"
                + "http: {addr: 127.0.0.1:" + port + ", secret: modeld-test-secret}\n" + auth);
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry r = new LocalRegistry(p, port, user == null ? null : user + ":" + password);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                int s = HTTP.send(HttpRequest.newBuilder(r.uri("/v2/")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (s == 200 || s == 401) {
                    return r;
                }
            } catch (IOException e) {
                if (System.nanoTime() > end || !p.isAlive()) {
                    p.destroyForcibly();
                    throw new IllegalStateException("docker-registry did not start: "
                            + Files.readString(dir.resolve("registry.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    /** {@code 127.0.0.1:port}. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://" + host() + path);
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (login != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    /** Uploads a blob into {@code repo} in one PUT; returns its digest {@code sha256:<hex>}. */
    public String putBlob(String repo, byte[] data) throws IOException, InterruptedException {
        String digest = "sha256:" + FileServer.sha256(data);
        HttpResponse<String> started = HTTP.send(request(uri("/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 202) {
            throw new IllegalStateException("upload start: " + started.statusCode() + " " + started.body());
        }
        URI location = uri("/").resolve(started.headers().firstValue("Location").orElseThrow());
        String sep = location.getQuery() == null ? "?" : "&";
        HttpResponse<String> done = HTTP.send(request(URI.create(location + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(data))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (done.statusCode() != 201) {
            throw new IllegalStateException("upload: " + done.statusCode() + " " + done.body());
        }
        return digest;
    }

    /** Puts a manifest at {@code repo:tag}; returns its digest. */
    public String putManifest(String repo, String tag, String mediaType, byte[] manifest)
            throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(uri("/v2/" + repo + "/manifests/" + tag))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("manifest: " + r.statusCode() + " " + r.body());
        }
        return "sha256:" + HexFormat.of().formatHex(sha(manifest));
    }

    private static byte[] sha(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** GETs a path of the registry (with the login when it has one). */
    public HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(uri(path));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
