package io.modeld.download;

import io.modeld.Daemon;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One model file on an HTTP server. Redirects are followed by hand, for two reasons: Hugging Face sends
 * the file's SHA-256 (X-Linked-Etag) on its redirect, not on the CDN's answer; and an Authorization
 * header must never follow a redirect to another host. Each range request starts again from the
 * original URL, so expiring signed CDN URLs never break a long download.
 */
final class HttpSource {

    /** What the server told us about the file. {@code size} is -1 when it did not say. */
    record Remote(long size, boolean ranges, String linkedSha256, String validator) {
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_REDIRECTS = 10;

    private final HttpClient client;
    private final URI origin;
    private final String authorization;

    HttpSource(HttpClient client, URI origin, String authorization) {
        this.client = client;
        this.origin = origin;
        this.authorization = authorization;
    }

    URI origin() {
        return origin;
    }

    /** Asks for the first byte: the answer says the size, whether ranges work, and maybe the digest. */
    Remote probe() throws DownloadException {
        Answer a = send("bytes=0-0");
        try (InputStream body = a.response.body()) {
            body.readNBytes(1);
        } catch (IOException e) {
            // The headers are all we need.
        }
        HttpResponse<InputStream> r = a.response;
        String validator = r.headers().firstValue("ETag").or(() -> r.headers().firstValue("Last-Modified")).orElse(null);
        if (r.statusCode() == 206) {
            Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
            if (m.matches() && !m.group(3).equals("*")) {
                return new Remote(Long.parseLong(m.group(3)), true, a.linkedSha256, validator);
            }
        }
        long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        long size = a.linkedSize > 0 ? a.linkedSize : length;
        return new Remote(size, false, a.linkedSha256, validator);
    }

    /** The bytes {@code from} to {@code toInclusive}, checking that the file is still {@code size} long. */
    InputStream range(long from, long toInclusive, long size) throws DownloadException {
        Answer a = send("bytes=" + from + "-" + toInclusive);
        HttpResponse<InputStream> r = a.response;
        if (r.statusCode() != 206) {
            close(r);
            throw new DownloadException("the server stopped honouring byte ranges (answered "
                    + r.statusCode() + " to a range request)", true);
        }
        Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
        if (!m.matches() || Long.parseLong(m.group(1)) != from) {
            close(r);
            throw new DownloadException("the server answered a different range than asked for", false);
        }
        if (!m.group(3).equals("*") && Long.parseLong(m.group(3)) != size) {
            close(r);
            throw new DownloadException("the file on the server changed size (was " + size + " bytes, now "
                    + m.group(3) + ")", true);
        }
        return r.body();
    }

    /** The whole file, for servers without ranges. */
    InputStream whole() throws DownloadException {
        Answer a = send(null);
        if (a.response.statusCode() != 200) {
            close(a.response);
            throw new DownloadException("unexpected answer " + a.response.statusCode(), false);
        }
        return a.response.body();
    }

    private record Answer(HttpResponse<InputStream> response, String linkedSha256, long linkedSize) {
    }

    private Answer send(String range) throws DownloadException {
        URI uri = origin;
        String linkedSha = null;
        long linkedSize = -1;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().timeout(HEADERS_TIMEOUT)
                    .header("User-Agent", "modeld/" + Daemon.version())
                    .header("Accept-Encoding", "identity");
            if (range != null) {
                b.header("Range", range);
            }
            if (authorization != null && sameHost(uri, origin)) {
                b.header("Authorization", authorization);
            }
            HttpResponse<InputStream> r;
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new DownloadException("cannot reach " + uri.getHost() + ": " + describe(e), false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DownloadException("interrupted", false);
            }
            Optional<String> etag = r.headers().firstValue("X-Linked-Etag");
            if (etag.isPresent()) {
                String v = etag.get().replace("\"", "").toLowerCase(Locale.ROOT);
                if (SHA256.matcher(v).matches()) {
                    linkedSha = v;
                }
            }
            linkedSize = r.headers().firstValueAsLong("X-Linked-Size").orElse(linkedSize);
            int status = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            if (status >= 300 && status < 400 && location.isPresent()) {
                close(r);
                uri = uri.resolve(location.get());
                continue;
            }
            if (status == 200 || status == 206) {
                return new Answer(r, linkedSha, linkedSize);
            }
            close(r);
            throw failure(status, r, uri);
        }
        throw new DownloadException("more than " + MAX_REDIRECTS + " redirects from " + origin, true);
    }

    private static DownloadException failure(int status, HttpResponse<?> r, URI uri) {
        String what = "the server answered " + status + " for " + uri.getHost() + uri.getPath();
        if (status == 408 || status == 425 || status == 429 || status >= 500) {
            return new DownloadException(what, false, retryAfter(r));
        }
        if (status == 401 || status == 403) {
            return new DownloadException(what + " (access denied: the file may need a token or be gated)", true);
        }
        if (status == 404 || status == 410) {
            return new DownloadException(what + " (no such file: check the model's source.url)", true);
        }
        return new DownloadException(what, true);
    }

    static Duration retryAfter(HttpResponse<?> r) {
        String v = r.headers().firstValue("Retry-After").orElse(null);
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

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort()
                && a.getScheme().equalsIgnoreCase(b.getScheme());
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException ignored) {
            // Closing a body we are abandoning.
        }
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
