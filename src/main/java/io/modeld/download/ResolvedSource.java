package io.modeld.download;

import io.modeld.catalog.ModelSource;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A model source made concrete: the URI to fetch (hf:// turned into its Hugging Face resolve URL) or the
 * local file to copy, and a safe name for the finished file. File names come from URLs, which are
 * untrusted: only letters, digits, '.', '_' and '-' survive, so a name never climbs out of its folder.
 */
record ResolvedSource(URI uri, Path localFile, String fileName) {

    static final String DEFAULT_HF_ENDPOINT = "https://huggingface.co";

    static ResolvedSource of(ModelSource source, String hfEndpoint) {
        URI uri = URI.create(source.url());
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        return switch (scheme) {
            case "file" -> new ResolvedSource(null, Path.of(uri.getPath()), fileName(uri.getPath()));
            case "hf" -> {
                String path = uri.getAuthority() + uri.getPath();
                String revision = "main";
                int at = path.lastIndexOf('@');
                if (at > 0) {
                    revision = path.substring(at + 1);
                    path = path.substring(0, at);
                }
                String[] parts = path.split("/", 3);
                URI resolved = URI.create(hfEndpoint.replaceAll("/+$", "") + "/" + parts[0] + "/" + parts[1]
                        + "/resolve/" + revision + "/" + parts[2]);
                yield new ResolvedSource(resolved, null, fileName(parts[2]));
            }
            default -> new ResolvedSource(uri, null, fileName(uri.getPath()));
        };
    }

    static String fileName(String path) {
        String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return FileNames.safe(URLDecoder.decode(last, StandardCharsets.UTF_8));
    }
}
