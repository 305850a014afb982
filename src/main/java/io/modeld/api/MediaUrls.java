package io.modeld.api;

import io.javalin.config.Key;
import io.modeld.ModeldException;
import io.modeld.config.OutboundHosts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fetches an image a client named by an {@code http(s)} URL, for daemons started with {@code --media-urls}: off by
 * default, since fetching what a client names reaches the daemon's network on the client's word. Where downloads may
 * not go (link-local addresses: a cloud's metadata service) an image may not either; redirects are not followed (a
 * redirect could lead there); a body over {@link MediaInputs#MAX_ITEM_MIB} MiB is cut off and refused; 30 s at most.
 */
public final class MediaUrls {

    /** The daemon's fetcher, where the routes find it; absent when URLs are refused. */
    public static final Key<MediaUrls> KEY = new Key<>("modeld.media-urls");

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** The bytes at {@code url}; a 400 naming {@code where} when they cannot be had. */
    byte[] fetch(String url, String where) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw ModeldException.invalid(where + ": not a valid URL (" + e.getMessage() + ")");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw ModeldException.invalid(where + ": a URL with a host and no credentials, please");
        }
        String refused = OutboundHosts.refusal(uri.getHost());
        if (refused != null) {
            throw ModeldException.invalid(where + ": " + refused);
        }
        long limit = (long) MediaInputs.MAX_ITEM_MIB << 20;
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .header("User-Agent", "modeld").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw ModeldException.invalid(where + ": " + uri.getHost() + " answered " + r.statusCode()
                            + (r.statusCode() / 100 == 3 ? " (modeld follows no redirect for a client's URL)" : ""));
                }
                byte[] data = in.readNBytes((int) limit + 1);
                if (data.length > limit) {
                    throw ModeldException.invalid(where + ": more than " + MediaInputs.MAX_ITEM_MIB + " MiB");
                }
                return data;
            }
        } catch (IOException e) {
            throw ModeldException.invalid(where + ": could not fetch it (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ModeldException.invalid(where + ": interrupted");
        }
    }
}
