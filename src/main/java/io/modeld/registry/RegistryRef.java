package io.modeld.registry;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model in a registry: host (with its port), repository, and a tag or a manifest digest. Parsed from
 * three spellings, each checked against what OCI Distribution allows, so no client text reaches a URL
 * unchecked:
 * <ul>
 * <li>{@code oci://HOST[:PORT]/REPO[:TAG|@sha256:HEX]}; {@code docker.io} is Docker Hub's
 *     {@code registry-1.docker.io}, where a one-part name is in {@code library/};</li>
 * <li>{@code ollama://[HOST/][NAMESPACE/]MODEL[:TAG]}: Ollama's naming (host {@code registry.ollama.ai},
 *     namespace {@code library}, tag {@code latest});</li>
 * <li>{@code hf://USER/REPO:QUANT}: Hugging Face's Ollama-style manifests at {@code hf.co}.</li>
 * </ul>
 */
public record RegistryRef(String host, String repository, String tag, String digest) {

    public static final String OLLAMA_HOST = "registry.ollama.ai";
    public static final String DOCKER_HUB = "registry-1.docker.io";

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?(?::\\d{1,5})?");
    private static final Pattern PATH_PART = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern HF = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,95})/([A-Za-z0-9][A-Za-z0-9._-]{0,95}):([A-Za-z0-9_][A-Za-z0-9._-]{0,127})");

    /** Whether {@code url} is a registry reference (rather than a file URL). */
    public static boolean isRegistry(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("oci://") || lower.startsWith("ollama://")) {
            return true;
        }
        return lower.startsWith("hf://") && HF.matcher(url.substring(5)).matches();
    }

    /** Parses a reference; IllegalArgumentException says what is wrong, naming {@code source.url}. */
    public static RegistryRef parse(String url) {
        int colon = url.indexOf("://");
        String scheme = url.substring(0, Math.max(0, colon)).toLowerCase(Locale.ROOT);
        String rest = url.substring(colon + 3);
        return switch (scheme) {
            case "oci" -> oci(rest);
            case "ollama" -> ollama(rest);
            case "hf" -> huggingFace(rest);
            default -> throw new IllegalArgumentException("not a registry reference: " + url);
        };
    }

    private static RegistryRef oci(String rest) {
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw bad("oci:// needs HOST/REPOSITORY[:TAG|@sha256:...], e.g. oci://registry.example.com/team/qwen3:0.6b");
        }
        String host = rest.substring(0, slash);
        if (!HOST.matcher(host).matches()) {
            throw bad("'" + host + "' is not a registry host[:port]");
        }
        String name = rest.substring(slash + 1);
        String digest = null;
        String tag = "latest";
        int at = name.indexOf('@');
        if (at >= 0) {
            digest = name.substring(at + 1);
            name = name.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw bad("the digest after @ must be sha256: and 64 hexadecimal digits");
            }
        }
        int lastSlash = name.lastIndexOf('/');
        int tagColon = name.indexOf(':', lastSlash + 1);
        if (tagColon >= 0) {
            tag = name.substring(tagColon + 1);
            name = name.substring(0, tagColon);
        }
        if (host.equalsIgnoreCase("docker.io") || host.equalsIgnoreCase("index.docker.io")) {
            host = DOCKER_HUB;
            if (!name.contains("/")) {
                name = "library/" + name;
            }
        }
        return checked(host.toLowerCase(Locale.ROOT), name, tag, digest);
    }

    private static RegistryRef ollama(String rest) {
        String tag = "latest";
        int lastSlash = rest.lastIndexOf('/');
        int tagColon = rest.indexOf(':', lastSlash + 1);
        if (tagColon >= 0) {
            tag = rest.substring(tagColon + 1);
            rest = rest.substring(0, tagColon);
        }
        String[] parts = rest.split("/", -1);
        return switch (parts.length) {
            case 1 -> checked(OLLAMA_HOST, "library/" + parts[0].toLowerCase(Locale.ROOT), tag, null);
            case 2 -> checked(OLLAMA_HOST, rest.toLowerCase(Locale.ROOT), tag, null);
            case 3 -> {
                String h = parts[0].toLowerCase(Locale.ROOT);
                if (h.equals("hf.co") || h.equals("huggingface.co")) {
                    yield huggingFace(parts[1] + "/" + parts[2] + ":" + tag);   // Hub names keep their case
                }
                if (!HOST.matcher(parts[0]).matches()) {
                    throw bad("'" + parts[0] + "' is not a registry host[:port]");
                }
                yield checked(parts[0].toLowerCase(Locale.ROOT), (parts[1] + "/" + parts[2]).toLowerCase(Locale.ROOT), tag, null);
            }
            default -> throw bad("ollama:// needs [HOST/][NAMESPACE/]MODEL[:TAG], e.g. ollama://qwen3:0.6b");
        };
    }

    private static RegistryRef huggingFace(String rest) {
        Matcher m = HF.matcher(rest);
        if (!m.matches() || rest.contains("..") || rest.contains("--")) {
            throw bad("hf:// names a file (hf://owner/repo/path/file.gguf[@rev]) or a quantization "
                    + "(hf://owner/repo:Q4_K_M)");
        }
        // Hugging Face's registry takes the names as they are on the Hub, any case.
        return new RegistryRef("hf.co", m.group(1) + "/" + m.group(2), m.group(3), null);
    }

    private static RegistryRef checked(String host, String repository, String tag, String digest) {
        if (repository.isEmpty() || repository.length() > 255) {
            throw bad("the repository name must be 1 to 255 characters");
        }
        for (String part : repository.split("/", -1)) {
            if (!PATH_PART.matcher(part).matches()) {
                throw bad("'" + repository + "' is not a repository name (lower-case letters, digits, '.', '_', "
                        + "'-', parts separated by '/')");
            }
        }
        if (!TAG.matcher(tag).matches()) {
            throw bad("'" + tag + "' is not a tag (letters, digits, '_', '.', '-'; at most 128)");
        }
        return new RegistryRef(host, repository, tag, digest);
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("source.url: " + why);
    }

    /** The tag or digest a manifest is asked for by. */
    public String reference() {
        return digest != null ? digest : tag;
    }

    /** The host without its port. */
    public String hostName() {
        int c = host.lastIndexOf(':');
        return c > 0 ? host.substring(0, c) : host;
    }

    /** The same repository at another tag or digest. */
    public RegistryRef at(String newReference) {
        return newReference.startsWith("sha256:") ? new RegistryRef(host, repository, tag, newReference)
                : new RegistryRef(host, repository, newReference, null);
    }

    /** A name for files made from this reference: the last part of the repository and the tag. */
    public String fileStem() {
        return repository.substring(repository.lastIndexOf('/') + 1) + "-" + tag;
    }

    @Override
    public String toString() {
        return "oci://" + host + "/" + repository + (digest != null ? "@" + digest : ":" + tag);
    }
}
