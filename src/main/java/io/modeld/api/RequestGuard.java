package io.modeld.api;

import io.javalin.http.Context;
import io.modeld.ModeldException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The defences of a localhost daemon, run before every request (WebSocket upgrades included):
 * a Host that is not a loopback name or the configured host is refused, so a DNS-rebinding page cannot
 * talk to us; a browser Origin that is not ours or listed is refused, which stops both CORS reads and
 * "simple" cross-site POSTs that need no preflight; bodies over 1 MiB (48 MiB on the routes that take images
 * and audio) are refused unparsed (read and dropped, up to 64 MiB, so that the client gets the 413).
 * With an API key, every request but the health checks ({@code /.well-known/health}, {@code /livez},
 * {@code /readyz}, {@code /health}), CORS preflights and the dashboard's static files (which hold no data) must carry it as a bearer token; a browser's WebSocket cannot send
 * headers, so an upgrade may carry it as the {@code api_key} query parameter instead.
 */
final class RequestGuard {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequestGuard.class);
    static final long MAX_BODY = Bodies.MAX;
    /** Bodies over {@link #MAX_BODY} up to this size are read and dropped before the 413 ({@link #drain}). */
    static final long DRAINED = 64L * 1024 * 1024;

    private final Set<String> allowedHosts;
    private final Set<String> allowedOrigins;
    private final Set<Integer> servedPorts = new CopyOnWriteArraySet<>();
    private final byte[] apiKey;

    RequestGuard(String configuredHost, List<String> extraOrigins, String apiKey) {
        Set<String> hosts = new HashSet<>(Set.of("localhost", "127.0.0.1", "::1"));
        hosts.add(normalizeHost(configuredHost));
        if (isWildcard(configuredHost)) {
            hosts.addAll(localAddresses());
        } else {
            hosts.addAll(namesOf(configuredHost));
        }
        this.allowedHosts = Set.copyOf(hosts);
        this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
        Set<String> origins = new HashSet<>();
        for (String o : extraOrigins) {
            origins.add(o.toLowerCase(Locale.ROOT).replaceAll("/+$", ""));
        }
        this.allowedOrigins = Set.copyOf(origins);
    }

    /** Tells the guard which ports the daemon serves: pages served from them are its own origin. */
    void servedPort(int port) {
        servedPorts.add(port);
    }

    void check(Context ctx) {
        checkHostAndOrigin(ctx);
        String authorization = ctx.header("Authorization");
        String anthropicKey = ctx.header("x-api-key");   // how Anthropic's clients send a key
        checkApiKey(ctx, authorization == null && anthropicKey != null ? "Bearer " + anthropicKey : authorization);
        checkBody(ctx);
    }

    /** The same checks for a WebSocket upgrade, which may carry the key as a query parameter. */
    void checkUpgrade(io.javalin.http.Context ctx) {
        checkHostAndOrigin(ctx);
        String header = ctx.header("Authorization");
        String param = ctx.queryParam("api_key");
        checkApiKey(ctx, header == null && param != null ? "Bearer " + param : header);
    }

    private void checkApiKey(Context ctx, String authorization) {
        if (apiKey == null || isExempt(ctx)) {
            return;
        }
        String given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : "";
        if (!MessageDigest.isEqual(apiKey, given.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"modeld\"");
            throw new ModeldException(ModeldException.Kind.UNAUTHORIZED, authorization == null
                    ? "this daemon needs its API key: send 'Authorization: Bearer <key>' (the CLI reads MODELD_API_KEY)"
                    : "wrong API key");
        }
    }

    /** What anyone may fetch: the health check, preflights, and the dashboard's page and static files. */
    private static boolean isExempt(Context ctx) {
        String method = ctx.method().name();
        String path = ctx.path();
        if (method.equals("OPTIONS")) {
            return true;
        }
        boolean read = method.equals("GET") || method.equals("HEAD");
        // the probes say whether the daemon serves, nothing of its data; /metrics does, and needs the key
        return read && (path.equals("/.well-known/health") || path.equals("/livez") || path.equals("/readyz")
                || path.equals("/health") || path.startsWith("/web/")
                || path.equals("/") && Dashboard.wantsPage(ctx));
    }

    private void checkHostAndOrigin(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || !isAllowedHost(stripPort(host))) {
            throw ModeldException.forbidden("Host '" + (host == null ? "" : host) + "' is not allowed: modeld "
                    + "answers only requests addressed to localhost or its configured host (DNS-rebinding defence)");
        }
        String origin = ctx.header("Origin");
        if (origin != null) {
            if (!isAllowedOrigin(origin)) {
                throw ModeldException.forbidden("Origin '" + origin + "' is not allowed: start modeld with "
                        + "--allowed-origins " + origin + " to let that site use the API");
            }
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
        }
    }

    private static void checkBody(Context ctx) {
        if (ctx.path().startsWith("/api/blobs/")) {
            return;   // model files: streamed to disk by their route, whatever their size
        }
        String length = ctx.header("Content-Length");
        long max = Bodies.maxFor(ctx.path());
        if (length != null && parseLength(length) > max) {
            if (parseLength(length) <= DRAINED) {
                drain(ctx);
            }
            throw new ModeldException(ModeldException.Kind.TOO_LARGE, max == MAX_BODY
                    ? "body: larger than 1 MiB; model files are downloaded by URL, never uploaded"
                    : "body: larger than " + (max >> 20) + " MiB; send fewer or smaller images and clips");
        }
        if (length == null && ctx.header("Transfer-Encoding") != null && ctx.bodyAsBytes().length > max) {
            throw new ModeldException(ModeldException.Kind.TOO_LARGE, "body: larger than " + (max >> 20) + " MiB");
        }
        if (length != null && parseLength(length) > 0) {
            // Read (and keep) the body before any handler answers: a route that ignores its body would
            // otherwise answer early, and Jetty closes a connection with a large unread body under a
            // client that is still sending it, which then sees no answer at all.
            ctx.bodyAsBytes();
        }
    }

    /**
     * Reads and drops a body over the limit, so that its client, still sending, gets the 413: a connection
     * closed with unread bytes is reset, and the reset discards the answer the client had not yet read
     * ("header parser received no bytes", seen in SecurityTest about once in two full runs with two test
     * JVMs). Larger bodies than {@link #DRAINED} are not worth reading: those clients see the close.
     */
    private static void drain(Context ctx) {
        try {
            ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException e) {
            LOG.debug("an oversized body ended early: {}", e.getMessage());
        }
    }

    /** Answers a CORS preflight whose origin {@link #check} already accepted. */
    void preflight(Context ctx) {
        if (ctx.header("Origin") != null) {
            ctx.header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, HEAD, OPTIONS");
            ctx.header("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization, x-api-key, anthropic-version, anthropic-beta");
            ctx.header("Access-Control-Max-Age", "600");
        }
        ctx.status(204);
    }

    private boolean isAllowedHost(String host) {
        String h = normalizeHost(host);
        return allowedHosts.contains(h) || h.endsWith(".localhost") || isLoopbackV4(h);
    }

    private boolean isAllowedOrigin(String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        if (allowedOrigins.contains(o)) {
            return true;
        }
        try {
            URI uri = new URI(o);
            int port = uri.getPort() == -1 ? 80 : uri.getPort();
            return "http".equals(uri.getScheme()) && uri.getHost() != null
                    && isAllowedHost(uri.getHost()) && servedPorts.contains(port);
        } catch (Exception e) {
            return false;
        }
    }

    private static long parseLength(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            throw ModeldException.invalid("Content-Length: not a number");
        }
    }

    private static String stripPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 || host.indexOf(':', colon + 1) >= 0 ? host : host.substring(0, colon);
    }

    private static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.equals("0:0:0:0:0:0:0:1") ? "::1" : h;
    }

    private static boolean isLoopbackV4(String h) {
        return h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    /** The addresses a configured host name resolves to, and the name of a configured address. */
    private static Set<String> namesOf(String host) {
        Set<String> names = new HashSet<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(normalizeHost(host))) {
                names.add(normalizeHost(a.getHostAddress().replaceAll("%.*$", "")));
                names.add(a.getCanonicalHostName().toLowerCase(Locale.ROOT));
            }
        } catch (java.net.UnknownHostException | SecurityException e) {
            // The configured host itself stays allowed.
        }
        return names;
    }

    private static Set<String> localAddresses() {
        Set<String> names = new HashSet<>();
        try {
            for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                ni.inetAddresses().forEach(a -> names.add(normalizeHost(a.getHostAddress().replaceAll("%.*$", ""))));
            }
            names.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
        } catch (SocketException | java.net.UnknownHostException e) {
            // Only loopback names stay allowed; the daemon still works locally.
        }
        return names;
    }
}
