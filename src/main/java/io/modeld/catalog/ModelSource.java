package io.modeld.catalog;

import io.modeld.ModeldException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a model's file comes from: an {@code https://}, {@code http://}, {@code hf://owner/repo/file[@rev]}
 * or {@code file:///abs/path} URL, and the file's SHA-256 when it is known in advance.
 */
public record ModelSource(String url, String sha256) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_URL_LENGTH = 2048;

    /** Validates a source as a client or a catalog gave it; the error names the field. */
    public static ModelSource of(String url, String sha256) {
        if (url == null || url.isBlank()) {
            throw ModeldException.invalid("source.url: required, e.g. https://host/path/model.gguf");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw ModeldException.invalid("source.url: longer than " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ModeldException.invalid("source.url: not a valid URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "https", "http" -> {
                if (uri.getHost() == null) {
                    throw ModeldException.invalid("source.url: has no host");
                }
            }
            case "hf" -> {
                String path = (uri.getAuthority() == null ? "" : uri.getAuthority()) + uri.getPath();
                if (path.split("/").length < 3) {
                    throw ModeldException.invalid("source.url: hf:// needs owner/repo/path/to/file.gguf[@revision]");
                }
            }
            case "file" -> {
                if (uri.getPath() == null || !uri.getPath().startsWith("/") || uri.getAuthority() != null) {
                    throw ModeldException.invalid("source.url: file:// needs an absolute path, e.g. file:///home/me/model.gguf");
                }
            }
            default -> throw ModeldException.invalid(
                    "source.url: scheme must be https, http, hf or file, not '" + scheme + "'");
        }
        String digest = null;
        if (sha256 != null) {
            digest = sha256.toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(digest).matches()) {
                throw ModeldException.invalid("source.sha256: must be 64 hexadecimal digits");
            }
        }
        return new ModelSource(url, digest);
    }
}
