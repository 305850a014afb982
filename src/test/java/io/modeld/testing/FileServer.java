package io.modeld.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP file server on a free loopback port that speaks Range and misbehaves on demand: refuse
 * ranges, cap each connection's rate, drop connections after some bytes, answer 503 first, stall, flip
 * a byte, serve another size, redirect. It counts what it sends and records what it is asked.
 */
public final class FileServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    /** A request as the server saw it. */
    public record Seen(String path, String range, String authorization) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final Map<String, String> linkedEtags = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger dropsLeft = new AtomicInteger();
    private final AtomicInteger stallsLeft = new AtomicInteger();
    private volatile boolean ranges = true;
    private volatile long bytesPerSecond;
    private volatile long dropAfter;
    private volatile long stallAfter;
    private volatile long stallMillis;
    private volatile int failureStatus = 503;
    private volatile long failUntilNanos;
    private final AtomicInteger stormFailures = new AtomicInteger();
    private volatile long corruptAt = -1;

    private FileServer(String host) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FileServer start() throws IOException {
        return new FileServer("127.0.0.1");
    }

    /** A server on another loopback address, which counts as another host (e.g. 127.0.0.2). */
    public static FileServer startOn(String host) throws IOException {
        return new FileServer(host);
    }

    /**
     * A model file of {@code size} bytes: a GGUF header (one I8 tensor) and then deterministic pseudo-random
     * weights, as incompressible as a model's. modeld keeps nothing that is not GGUF.
     */
    public static byte[] content(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.putInt(0x46554747).putInt(3).putLong(1).putLong(1);
        putString(h, "general.architecture");
        h.putInt(8);
        putString(h, "blob");
        putString(h, "weights");
        int header = (h.position() + 4 + 8 + 4 + 8 + 31) / 32 * 32;
        h.putInt(1).putLong(size - header).putInt(24).putLong(0);
        if (size < header) {
            throw new IllegalArgumentException("a model file needs at least " + header + " bytes");
        }
        System.arraycopy(h.array(), 0, b, 0, h.position());
        java.util.Arrays.fill(b, h.position(), header, (byte) 0);
        return b;
    }

    private static void putString(java.nio.ByteBuffer b, String s) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        b.putLong(utf8.length).put(utf8);
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public FileServer serve(String path, byte[] data) {
        files.put(path, data);
        return this;
    }

    /** Answers {@code path} with a 302 to {@code location}, with an X-Linked-Etag when {@code linkedSha256} is given. */
    public FileServer redirect(String path, String location, String linkedSha256) {
        redirects.put(path, location);
        if (linkedSha256 != null) {
            linkedEtags.put(path, linkedSha256);
        }
        return this;
    }

    public FileServer refuseRanges() {
        ranges = false;
        return this;
    }

    public FileServer capPerConnection(long rate) {
        bytesPerSecond = rate;
        return this;
    }

    /** The next {@code times} file responses close their connection after {@code after} bytes. */
    public FileServer dropAfter(long after, int times) {
        dropAfter = after;
        dropsLeft.set(times);
        return this;
    }

    /** The next {@code times} requests get {@code status} (with Retry-After: 0). */
    public FileServer fail(int status, int times) {
        failureStatus = status;
        failuresLeft.set(times);
        return this;
    }

    /** Every request in the next {@code millis} gets {@code status} (with Retry-After: 0): a storm. */
    public FileServer failFor(int status, long millis) {
        failureStatus = status;
        failUntilNanos = System.nanoTime() + millis * 1_000_000;
        return this;
    }

    /** How many requests a storm of {@link #failFor} has refused so far. */
    public int stormFailures() {
        return stormFailures.get();
    }

    /** The next {@code times} file responses go silent for {@code millis} after {@code after} bytes. */
    public FileServer stall(long after, long millis, int times) {
        stallAfter = after;
        stallMillis = millis;
        stallsLeft.set(times);
        return this;
    }

    /** Serves the byte at {@code offset} with its bits flipped. */
    public FileServer corruptAt(long offset) {
        corruptAt = offset;
        return this;
    }

    public URI uri(String path) {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + path);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public long bytesSent() {
        return bytesSent.get();
    }

    public List<Seen> requests() {
        return List.copyOf(seen);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        seen.add(new Seen(path, range, ex.getRequestHeaders().getFirst("Authorization")));
        try (ex) {
            long until = failUntilNanos;
            boolean storm = until != 0 && System.nanoTime() - until < 0;
            if (storm) {
                stormFailures.incrementAndGet();
            }
            if (storm || failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                ex.getResponseHeaders().set("Retry-After", "0");
                ex.sendResponseHeaders(failureStatus, -1);
                return;
            }
            String location = redirects.get(path);
            if (location != null) {
                String etag = linkedEtags.get(path);
                if (etag != null) {
                    ex.getResponseHeaders().set("X-Linked-Etag", "\"" + etag + "\"");
                }
                ex.getResponseHeaders().set("Location", location);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            byte[] data = files.get(path);
            if (data == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            long from = 0;
            long to = data.length - 1L;
            int status = 200;
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (ranges && m != null && m.matches()) {
                from = Long.parseLong(m.group(1));
                to = m.group(2).isEmpty() ? data.length - 1L : Math.min(Long.parseLong(m.group(2)), data.length - 1L);
                if (from >= data.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + data.length);
            }
            if (ranges) {
                ex.getResponseHeaders().set("Accept-Ranges", "bytes");
            }
            ex.getResponseHeaders().set("ETag", "\"" + data.length + "\"");
            long length = to - from + 1;
            ex.sendResponseHeaders(status, length);
            send(ex.getResponseBody(), data, from, length);
        }
    }

    private void send(OutputStream out, byte[] data, long from, long length) throws IOException {
        boolean drop = length > dropAfter && dropAfter > 0 && dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        boolean stall = length > stallAfter && stallMillis > 0 && stallsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        long start = System.nanoTime();
        long sent = 0;
        byte[] buf = new byte[16 << 10];
        while (sent < length) {
            if (drop && sent >= dropAfter) {
                throw new IOException("dropping the connection on purpose");
            }
            if (stall && sent >= stallAfter) {
                stall = false;
                sleep(stallMillis);
            }
            int n = (int) Math.min(buf.length, length - sent);
            if (drop) {
                n = (int) Math.min(n, Math.max(1, dropAfter - sent));
            }
            System.arraycopy(data, (int) (from + sent), buf, 0, n);
            long corrupt = corruptAt - (from + sent);
            if (corrupt >= 0 && corrupt < n) {
                buf[(int) corrupt] ^= (byte) 0xFF;
            }
            out.write(buf, 0, n);
            sent += n;
            bytesSent.addAndGet(n);
            long rate = bytesPerSecond;
            if (rate > 0) {
                long due = start + sent * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    sleep(wait / 1_000_000);
                }
            }
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
