package io.modeld.api;

import io.javalin.http.Context;
import io.modeld.ModeldException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The defences of a localhost daemon, run before every request (WebSocket upgrades included):
 * a Host that is not a loopback name or the configured host is refused, so a DNS-rebinding page cannot
 * talk to us; a browser Origin that is not ours or listed is refused, which stops both CORS reads and
 * "simple" cross-site POSTs that need no preflight; bodies over 1 MiB are refused before they are read.
 */
final class RequestGuard {

    static final long MAX_BODY = 1024 * 1024;

    private final Set<String> allowedHosts;
    private final Set<String> allowedOrigins;
    private final Set<Integer> servedPorts = new CopyOnWriteArraySet<>();

    RequestGuard(String configuredHost, List<String> extraOrigins) {
        Set<String> hosts = new HashSet<>(Set.of("localhost", "127.0.0.1", "::1"));
        hosts.add(normalizeHost(configuredHost));
        if (isWildcard(configuredHost)) {
            hosts.addAll(localAddresses());
        }
        this.allowedHosts = Set.copyOf(hosts);
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
        String length = ctx.header("Content-Length");
        if (length != null && parseLength(length) > MAX_BODY) {
            throw new ModeldException(ModeldException.Kind.TOO_LARGE,
                    "body: larger than 1 MiB; model files are downloaded by URL, never uploaded");
        }
        if (length != null && parseLength(length) > 0) {
            // Read (and keep) the body before any handler answers: a route that ignores its body would
            // otherwise answer early, and Jetty closes a connection with a large unread body under a
            // client that is still sending it, which then sees no answer at all.
            ctx.bodyAsBytes();
        }
    }

    /** Answers a CORS preflight whose origin {@link #check} already accepted. */
    void preflight(Context ctx) {
        if (ctx.header("Origin") != null) {
            ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            ctx.header("Access-Control-Allow-Headers", "Content-Type, Accept");
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
