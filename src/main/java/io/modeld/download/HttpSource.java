package io.modeld.download;

import io.modeld.config.BuildInfo;
import io.modeld.config.OutboundHosts;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One model file on an HTTP server. Redirects are followed by hand, for two reasons: Hugging Face sends
 * the file's SHA-256 (X-Linked-Etag) on its redirect, not on the CDN's answer; and an Authorization
 * header must never follow a redirect to another host. Each range request starts again from the
 * original URL, so expiring signed CDN URLs never break a long download.
 *
 * <p>It uses HttpURLConnection rather than java.net.http: on this bulk path (8 connections, loopback)
 * HttpURLConnection read 1.5–2.0 GB/s where HttpClient's InputStream body reached 0.15–0.57 GB/s, and
 * its read timeout is exactly the "no byte for 30 s" rule. Connections are HTTP/1.1, one TCP connection
 * each, which is what a per-connection rate cap needs.
 */
final class HttpSource {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpSource.class);

    /** What the server told us about the file. {@code size} is -1 when it did not say. */
    record Remote(long size, boolean ranges, String linkedSha256, String validator) {
    }

    /** An open response body, and how to abort it from another thread. */
    record Body(InputStream in, Runnable abort) {
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int CONNECT_TIMEOUT_MS = 30_000;
    private static final int MAX_REDIRECTS = 10;

    private final URI origin;
    private final Authorizer auth;
    private final int readTimeoutMs;
    private volatile boolean reached;

    HttpSource(URI origin, Authorizer auth, Duration stallTimeout) {
        this.origin = origin;
        this.auth = auth;
        this.readTimeoutMs = (int) Math.min(Integer.MAX_VALUE, stallTimeout.toMillis());
    }

    /** Asks for the first byte: the answer says the size, whether ranges work, and maybe the digest. */
    /** Whether the source has answered once (a later failure is a dropped connection, not a dead host). */
    boolean reached() {
        return reached;
    }

    Remote probe() throws DownloadException {
        Answer a = send("bytes=0-0");
        HttpURLConnection c = a.connection;
        String validator = c.getHeaderField("ETag") != null ? c.getHeaderField("ETag") : c.getHeaderField("Last-Modified");
        try {
            if (a.status == 206) {
                Matcher m = CONTENT_RANGE.matcher(header(c, "Content-Range"));
                if (m.matches() && !m.group(3).equals("*")) {
                    return new Remote(Long.parseLong(m.group(3)), true, a.linkedSha256, validator);
                }
            }
            long length = c.getContentLengthLong();
            long size = a.linkedSize > 0 ? a.linkedSize : length;
            return new Remote(size, false, a.linkedSha256, validator);
        } finally {
            c.disconnect();
        }
    }

    /** The bytes {@code from} to {@code toInclusive}, checking that the file is still {@code size} long. */
    Body range(long from, long toInclusive, long size) throws DownloadException {
        Answer a = send("bytes=" + from + "-" + toInclusive);
        HttpURLConnection c = a.connection;
        if (a.status != 206) {
            c.disconnect();
            throw DownloadException.fatal("the server stopped honouring byte ranges (answered " + a.status
                    + " to a range request)");
        }
        Matcher m = CONTENT_RANGE.matcher(header(c, "Content-Range"));
        if (!m.matches() || Long.parseLong(m.group(1)) != from) {
            c.disconnect();
            throw DownloadException.retryable("the server answered a different range than asked for");
        }
        if (!m.group(3).equals("*") && Long.parseLong(m.group(3)) != size) {
            c.disconnect();
            throw DownloadException.fatal("the file on the server changed size (was " + size + " bytes, now "
                    + m.group(3) + ")");
        }
        return body(c);
    }

    /** The whole file, for servers without ranges. */
    Body whole() throws DownloadException {
        Answer a = send(null);
        if (a.status != 200) {
            a.connection.disconnect();
            throw DownloadException.retryable("unexpected answer " + a.status);
        }
        return body(a.connection);
    }

    private Body body(HttpURLConnection c) throws DownloadException {
        try {
            return new Body(c.getInputStream(), c::disconnect);
        } catch (IOException e) {
            c.disconnect();
            throw DownloadException.retryable("connection lost: " + describe(e));
        }
    }

    private record Answer(HttpURLConnection connection, int status, String linkedSha256, long linkedSize) {
    }

    private Answer send(String range) throws DownloadException {
        URI uri = origin;
        String authorization = auth.header();
        String linkedSha = null;
        long linkedSize = -1;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c;
            int status;
            String refused = OutboundHosts.refusal(uri.getHost());
            if (refused != null) {
                throw DownloadException.fatal(refused);
            }
            try {
                c = (HttpURLConnection) uri.toURL().openConnection();
                c.setInstanceFollowRedirects(false);
                c.setConnectTimeout(CONNECT_TIMEOUT_MS);
                c.setReadTimeout(readTimeoutMs);
                c.setRequestProperty("User-Agent", "modeld/" + BuildInfo.version());
                c.setRequestProperty("Accept-Encoding", "identity");
                if (range != null) {
                    c.setRequestProperty("Range", range);
                }
                if (authorization != null && sameHost(uri, origin)) {
                    c.setRequestProperty("Authorization", authorization);
                }
                status = c.getResponseCode();
                reached = true;
            } catch (IOException | IllegalArgumentException e) {
                // one wording for refused, reset, silent and non-HTTP: the words of a failure must not tell a
                // client which ports of the daemon's network are open (issue 29); the log keeps the cause
                LOG.debug("{} unreachable: {}", uri.getHost(), e.toString());
                throw DownloadException.unreachable("cannot reach " + hostAndPort(uri) + " (no HTTP answer)");
            }
            String etag = c.getHeaderField("X-Linked-Etag");
            if (etag != null) {
                String v = etag.replace("\"", "").toLowerCase(Locale.ROOT);
                if (SHA256.matcher(v).matches()) {
                    linkedSha = v;
                }
            }
            long size = c.getHeaderFieldLong("X-Linked-Size", -1);
            linkedSize = size > 0 ? size : linkedSize;
            String location = c.getHeaderField("Location");
            if (status >= 300 && status < 400 && location != null) {
                drain(c);
                uri = redirectTarget(uri, location);
                continue;
            }
            if (status == 200 || status == 206) {
                return new Answer(c, status, linkedSha, linkedSize);
            }
            if (status == 401 && auth.renewable() && sameHost(uri, origin)) {
                drain(c);
                auth.refused();   // a registry token that lapsed: the next attempt asks for a new one
                throw DownloadException.retryable("the registry refused its token (401); renewing it");
            }
            DownloadException failure = failure(status, c, uri);
            drain(c);
            throw failure;
        }
        throw DownloadException.fatal("more than " + MAX_REDIRECTS + " redirects from " + origin);
    }

    /**
     * Where a redirect leads: only to http or https. A server that sends a download to {@code file:},
     * {@code jar:} or {@code ftp:} gets a clear failure, and nothing there is ever opened.
     */
    private static URI redirectTarget(URI from, String location) throws DownloadException {
        URI next;
        try {
            next = from.resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw DownloadException.fatal(from.getHost() + " redirected to an invalid URL: " + e.getMessage());
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
            throw DownloadException.fatal(from.getHost() + " redirected the download to a " + (scheme.isEmpty()
                    ? "URL without a scheme" : scheme + ": URL") + "; modeld follows redirects to http and https only");
        }
        return next;
    }

    private static DownloadException failure(int status, HttpURLConnection c, URI uri) {
        String what = "the server answered " + status + " for " + uri.getHost() + uri.getPath();
        if (status == 408 || status == 425 || status == 429 || status >= 500) {
            return DownloadException.retryable(what, retryAfter(c.getHeaderField("Retry-After")));
        }
        if (status == 401 || status == 403) {
            return DownloadException.fatal(what + " (access denied: the file may need a token or be gated)");
        }
        if (status == 404 || status == 410) {
            return DownloadException.missing(what + " (no such file: check the model's source.url)");
        }
        return DownloadException.fatal(what);
    }

    static Duration retryAfter(String v) {
        if (v == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim())));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }

    private static String header(HttpURLConnection c, String name) {
        String v = c.getHeaderField(name);
        return v == null ? "" : v;
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort()
                && a.getScheme().equalsIgnoreCase(b.getScheme());
    }

    /** Reads away a small body we do not need, so that the connection can be reused. */
    private static void drain(HttpURLConnection c) {
        try (InputStream in = c.getErrorStream() != null ? c.getErrorStream() : c.getInputStream()) {
            in.readNBytes(64 << 10);
        } catch (IOException | RuntimeException ignored) {
            c.disconnect();
        }
    }

    private static String hostAndPort(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
