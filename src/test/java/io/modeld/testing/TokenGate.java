package io.modeld.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry behind a token service of the test's own, as Docker Hub and Hugging Face put theirs: the
 * gate (one port) forwards {@code /v2/} to a {@link LocalRegistry} but answers 401 with a Bearer
 * challenge whose realm is the token service (another port) unless the request carries a token it
 * issued that has not expired. The token service wants a Basic login when one is set, and says
 * {@code expires_in: 60} while its tokens really expire sooner, so a long download meets a refusal.
 * Blob GETs may be answered with a 307 to a {@link FileServer} on another host instead.
 */
public final class TokenGate implements AutoCloseable {

    private final HttpServer gate;
    private final HttpServer tokens;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final LocalRegistry registry;
    private final String login;
    private final long ttlMillis;
    private final Map<String, Long> issued = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final List<String> seenAuthorization = new CopyOnWriteArrayList<>();
    private final List<String> tokenRequests = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile FileServer blobs;
    private volatile long bytesPerSecond;

    private TokenGate(LocalRegistry registry, String login, long ttlMillis) throws IOException {
        this.registry = registry;
        this.login = login;
        this.ttlMillis = ttlMillis;
        tokens = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        tokens.setExecutor(executor);
        tokens.createContext("/token", this::token);
        tokens.start();
        gate = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        gate.setExecutor(executor);
        gate.createContext("/", this::forward);
        gate.start();
    }

    /** A gate in front of {@code registry}; {@code login} ({@code user:password}) or null for anonymous tokens. */
    public static TokenGate start(LocalRegistry registry, String login, long ttlMillis) throws IOException {
        return new TokenGate(registry, login, ttlMillis);
    }

    /** Answers blob GETs with a 307 to {@code files}, which must serve {@code /blobs/<digest>}. */
    public TokenGate redirectBlobsTo(FileServer files) {
        this.blobs = files;
        return this;
    }

    /** Slows what the gate forwards to this many bytes a second per connection. */
    public TokenGate throttle(long rate) {
        this.bytesPerSecond = rate;
        return this;
    }

    public String host() {
        return "127.0.0.1:" + gate.getAddress().getPort();
    }

    /** How many tokens the service gave out. */
    public int tokensIssued() {
        return count.get();
    }

    /** The Authorization header of every request the gate saw ("" for none). */
    public List<String> authorizations() {
        return List.copyOf(seenAuthorization);
    }

    /** Every request the gate let through, as {@code METHOD /path?query}. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** The Authorization header of every token request ("" for none). */
    public List<String> tokenRequests() {
        return List.copyOf(tokenRequests);
    }

    private void token(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        tokenRequests.add(auth == null ? "" : auth);
        if (login != null && !("Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)))
                .equals(auth)) {
            send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad login\"}]}");
            return;
        }
        String token = "tok-" + count.incrementAndGet();
        issued.put(token, System.currentTimeMillis() + ttlMillis);
        send(ex, 200, "{\"access_token\":\"" + token + "\",\"expires_in\":60}");
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            seenAuthorization.add(auth == null ? "" : auth);
            String path = ex.getRequestURI().getRawPath();
            String repo = path.replaceFirst("^/v2/", "").replaceFirst("/(manifests|blobs)/.*$", "");
            Long until = auth != null && auth.startsWith("Bearer ") ? issued.get(auth.substring(7)) : null;
            if (until == null || System.currentTimeMillis() > until) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:"
                        + tokens.getAddress().getPort() + "/token\",service=\"modeld-test\",scope=\"repository:"
                        + repo + ":pull\"");
                send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"token needed\"}]}");
                return;
            }
            FileServer files = blobs;
            if (files != null && path.contains("/blobs/") && ex.getRequestMethod().equals("GET")) {
                ex.getResponseHeaders().add("Location", files.uri("/blobs/" + path.substring(path.lastIndexOf('/') + 1)).toString());
                ex.sendResponseHeaders(307, -1);
                return;
            }
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
            proxy(ex);
        }
    }

    private static final java.net.http.HttpClient CLIENT = java.net.http.HttpClient.newBuilder()
            .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();

    private void proxy(HttpExchange ex) throws IOException {
        URI target = registry.uri(ex.getRequestURI().toString());
        String sentLength = ex.getRequestHeaders().getFirst("Content-Length");
        long bodyLength = sentLength == null ? 0 : Long.parseLong(sentLength);
        java.net.http.HttpRequest.BodyPublisher body = bodyLength > 0
                ? java.net.http.HttpRequest.BodyPublishers.fromPublisher(
                        java.net.http.HttpRequest.BodyPublishers.ofInputStream(ex::getRequestBody), bodyLength)
                : java.net.http.HttpRequest.BodyPublishers.noBody();
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(target).method(ex.getRequestMethod(), body);
        for (String h : List.of("Accept", "Range", "Content-Type", "Content-Range")) {
            List<String> values = ex.getRequestHeaders().get(h);
            if (values != null) {
                values.forEach(v -> b.header(h, v));
            }
        }
        java.net.http.HttpResponse<InputStream> r;
        try {
            r = CLIENT.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        for (String h : List.of("Content-Type", "Content-Range", "Docker-Content-Digest", "Accept-Ranges", "ETag",
                "Range", "Docker-Upload-UUID")) {
            r.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().add(h, v));
        }
        r.headers().firstValue("Location").ifPresent(location ->   // uploads go on through the gate
                ex.getResponseHeaders().add("Location", location.replace(registry.host(), host())));
        long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(r.statusCode(), head ? -1 : length < 0 ? 0 : length == 0 ? -1 : length);
        try (InputStream in = r.body(); OutputStream out = ex.getResponseBody()) {
            if (head) {
                return;
            }
            byte[] buf = new byte[16 << 10];
            long start = System.nanoTime();
            long sent = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                sent += n;
                long rate = bytesPerSecond;
                if (rate > 0) {
                    long due = start + sent * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        gate.stop(0);
        tokens.stop(0);
        executor.shutdownNow();
    }
}
