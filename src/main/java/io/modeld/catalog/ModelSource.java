package io.modeld.catalog;

import io.modeld.ModeldException;
import io.modeld.registry.RegistryRef;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a model's file comes from: an {@code https://}, {@code http://}, {@code hf://owner/repo/file[@rev]}
 * or {@code file:///abs/path} URL, or a model in a registry ({@code oci://}, {@code ollama://},
 * {@code hf://owner/repo:QUANT}: see {@link RegistryRef}), and the file's SHA-256 when it is known in advance. A {@code file://}
 * source with {@code link} is used where it lies instead of being copied into the store; a {@code file://}
 * source remembers which file it named at create ({@code identity}, never set by a client). A file source may
 * name the model's {@code projector} (images, audio), fetched with it and kept beside it; a registry model
 * brings its own as a layer.
 */
public record ModelSource(String url, String sha256, Boolean link, FileIdentity identity, Projector projector) {

    /** Where a model's projector comes from: a URL as a source's, and its SHA-256 when known in advance. */
    public record Projector(String url, String sha256) {
    }

    public ModelSource(String url, String sha256) {
        this(url, sha256, null, null, null);
    }

    public ModelSource(String url, String sha256, Boolean link) {
        this(url, sha256, link, null, null);
    }

    public ModelSource(String url, String sha256, Boolean link, FileIdentity identity) {
        this(url, sha256, link, identity, null);
    }

    /** This source, pinned to the file it names now. */
    public ModelSource withIdentity(FileIdentity id) {
        return new ModelSource(url, sha256, link, id, projector);
    }

    /**
     * This source with the projector at {@code url} (SHA-256 {@code sha256}, or null), validated as a source is;
     * the error names the field. A registry model's projector is its own layer, a linked file's lies beside it.
     */
    public ModelSource withProjector(String projectorUrl, String projectorSha256) {
        if (projectorUrl == null) {
            return this;
        }
        if (RegistryRef.isRegistry(url) || linked()) {
            throw ModeldException.invalid("source.projector: " + (linked() ? "a linked file's projector is found "
                    + "beside it (mmproj-*.gguf)" : "a registry model brings its projector as a layer"));
        }
        ModelSource p;
        try {
            p = of(projectorUrl, projectorSha256, false);
        } catch (ModeldException e) {
            throw ModeldException.invalid(e.getMessage().replace("source.", "source.projector."));
        }
        if (RegistryRef.isRegistry(p.url())) {
            throw ModeldException.invalid("source.projector.url: must name a file (https, http, hf, file), not a "
                    + "registry model");
        }
        return new ModelSource(url, sha256, link, identity, new Projector(p.url(), p.sha256()));
    }

    /** Whether both name the same thing (URL, digest, link, projector), whichever file identity each recorded. */
    public boolean sameAs(ModelSource other) {
        return other != null && url.equals(other.url) && java.util.Objects.equals(sha256, other.sha256)
                && linked() == other.linked() && java.util.Objects.equals(projector, other.projector);
    }

    /** Whether the file is used in place (a {@code file://} source with {@code link: true}). */
    public boolean linked() {
        return Boolean.TRUE.equals(link);
    }

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** A Hugging Face user, organisation or repository name. */
    private static final Pattern HF_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?");
    /** One folder or file name of a path inside a repository. */
    private static final Pattern HF_PATH_PART = Pattern.compile("[A-Za-z0-9._ +()\\[\\]-]{1,255}");
    private static final Pattern HF_REVISION = Pattern.compile("[A-Za-z0-9._/-]{1,255}");
    private static final int MAX_URL_LENGTH = 2048;

    /** Validates a source as a client or a catalog gave it; the error names the field. */
    public static ModelSource of(String url, String sha256) {
        return of(url, sha256, false);
    }

    /** Validates a source; {@code link} is allowed for {@code file://} only. */
    public static ModelSource of(String url, String sha256, boolean link) {
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
        if (RegistryRef.isRegistry(url) || scheme.equals("oci") || scheme.equals("ollama")) {
            try {
                RegistryRef.parse(url);
            } catch (IllegalArgumentException e) {
                throw ModeldException.invalid(e.getMessage());
            }
            if (sha256 != null || link) {
                throw ModeldException.invalid("source: a registry model is checked by its manifest's digests; "
                        + "sha256 and link do not apply");
            }
            return new ModelSource(url, null, null);
        }
        if (uri.getRawUserInfo() != null) {
            throw ModeldException.invalid("source.url: must not carry credentials (user:password@host): they would "
                    + "be stored and shown to every client; give a Hugging Face token with HF_TOKEN, and registry "
                    + "credentials in ~/.docker/config.json or MODELD_REGISTRY_AUTH");
        }
        switch (scheme) {
            case "https", "http" -> {
                if (uri.getHost() == null) {
                    throw ModeldException.invalid("source.url: has no host");
                }
                refuseSecretParameters(uri);
            }
            case "hf" -> checkHuggingFace(uri);
            case "file" -> {
                if (uri.getPath() == null || !uri.getPath().startsWith("/") || uri.getAuthority() != null) {
                    throw ModeldException.invalid("source.url: file:// needs an absolute path, e.g. file:///home/me/model.gguf");
                }
            }
            default -> throw ModeldException.invalid(
                    "source.url: scheme must be https, http, hf, file, oci or ollama, not '" + scheme + "'");
        }
        String digest = null;
        if (sha256 != null) {
            digest = sha256.toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(digest).matches()) {
                throw ModeldException.invalid("source.sha256: must be 64 hexadecimal digits");
            }
        }
        if (link && !scheme.equals("file")) {
            throw ModeldException.invalid("source.link: only a file:// source can be used in place");
        }
        return new ModelSource(url, digest, link ? Boolean.TRUE : null);
    }

    /**
     * Refuses a query string that carries a credential (a token, a key, a signature): like a password in
     * the URL's user part, it would be stored and shown to every client of {@code /models}.
     */
    private static void refuseSecretParameters(URI uri) {
        if (uri.getRawQuery() == null) {
            return;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            String name = java.net.URLDecoder.decode(pair.split("=", 2)[0], java.nio.charset.StandardCharsets.UTF_8)
                    .toLowerCase(Locale.ROOT);
            if (SECRET_PARAMETER.matcher(name).matches()) {
                throw ModeldException.invalid("source.url: its query carries a credential ('" + name + "'): it would "
                        + "be stored and shown to every client; give a Hugging Face token with HF_TOKEN and registry "
                        + "logins in ~/.docker/config.json, or download the file yourself and import it");
            }
        }
    }

    /** Query parameter names that hold credentials: tokens, keys, passwords, and the signatures of signed URLs. */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            ".*(token|key|secret|password|passwd|signature|credential|auth|authorization)|sig|x-amz-.*|x-goog-.*|sas");

    /** {@code hf://owner/repo/path/to/file.gguf[@revision]}, every part of a shape Hugging Face allows. */
    private static void checkHuggingFace(URI uri) {
        String shape = "hf:// needs owner/repo/path/to/file.gguf[@revision]";
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getPort() != -1) {
            throw ModeldException.invalid("source.url: " + shape + ", without a port, query or fragment");
        }
        String path = (uri.getAuthority() == null ? "" : uri.getAuthority()) + uri.getPath();
        String revision = null;
        int at = path.lastIndexOf('@');
        if (at >= 0) {
            revision = path.substring(at + 1);
            path = path.substring(0, at);
            if (!HF_REVISION.matcher(revision).matches() || revision.contains("..")) {
                throw ModeldException.invalid("source.url: the revision after @ must be a branch, tag or commit id");
            }
        }
        String[] parts = path.split("/", -1);
        if (parts.length < 3) {
            throw ModeldException.invalid("source.url: " + shape);
        }
        for (int i = 0; i < 2; i++) {
            if (!HF_NAME.matcher(parts[i]).matches() || parts[i].contains("..") || parts[i].contains("--")) {
                throw ModeldException.invalid("source.url: '" + parts[i] + "' is not a Hugging Face "
                        + (i == 0 ? "user or organisation" : "repository") + " name (letters, digits, '.', '_', '-')");
            }
        }
        for (int i = 2; i < parts.length; i++) {
            if (!HF_PATH_PART.matcher(parts[i]).matches() || parts[i].equals(".") || parts[i].equals("..")) {
                throw ModeldException.invalid("source.url: the file path in the repository has an empty, '.', '..' or "
                        + "unusual part: " + shape);
            }
        }
    }
}
