package io.modeld.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.config.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hosts remote models may live on and their keys. A host is contacted only when it is on the allow-list
 * ({@code --remotes}, Ollama's {@code OLLAMA_REMOTES}): named alone it may be reached on any port, named with a
 * port on that one. The check is made before every connection, so a host taken off the list is never contacted
 * again, even by the models made on it. Keys are kept as registry logins are: in {@code remotes.json} in the data
 * dir ({@code rw-------}), by host and port; sent to that host only; never in a listing, an error or a log.
 */
public final class RemoteHosts {

    static final String FILE = "remotes.json";

    private final List<String> allowed;
    private final Path file;
    /** Keys by {@code host:port}, lower case; under this object's lock. */
    private final Map<String, String> keys = new TreeMap<>();

    public RemoteHosts(List<String> allowed, Path dataDir) {
        this.allowed = allowed.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
        this.file = dataDir.resolve(FILE);
        try {
            if (Files.isRegularFile(file)) {
                JsonNode hosts = Json.MAPPER.readTree(file.toFile()).path("hosts");
                hosts.fields().forEachRemaining(e -> {
                    if (e.getValue().path("key").isTextual()) {
                        keys.put(e.getKey(), e.getValue().path("key").textValue());
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The allow-list as it was given. */
    public List<String> allowed() {
        return allowed;
    }

    /**
     * The base URL of a server as a client named it ({@code http(s)://host[:port][/path]}, a trailing {@code /v1}
     * or {@code /} left out): the form a remote model keeps. INVALID, naming {@code field}, for anything else.
     */
    public static String base(String url, String field) {
        if (url == null || url.isBlank()) {
            throw ModeldException.invalid(field + ": required, the server's URL, e.g. http://gpu-box.lan:11434");
        }
        URI u;
        try {
            u = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw ModeldException.invalid(field + ": not a URL (" + e.getReason() + ")");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
            throw ModeldException.invalid(field + ": an http:// or https:// URL with a host, e.g. http://gpu-box.lan:11434");
        }
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw ModeldException.invalid(field + ": a server's URL without user, query or fragment (give a key with "
                    + "modeld remote add URL --key-file FILE)");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        path = path.replaceAll("/+$", "");
        if (path.endsWith("/v1")) {
            path = path.substring(0, path.length() - 3);
        }
        int port = u.getPort() != -1 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port + path;
    }

    /** {@code host:port} of a base URL. */
    static String hostPort(String base) {
        URI u = URI.create(base);
        return u.getHost().toLowerCase(Locale.ROOT) + ":" + u.getPort();
    }

    /** Why {@code base} may not be contacted, or null when it is on the allow-list. */
    public String refusal(String base) {
        URI u = URI.create(base);
        String host = u.getHost().toLowerCase(Locale.ROOT);
        String withPort = host + ":" + u.getPort();
        if (allowed.contains(host) || allowed.contains(withPort)) {
            return io.modeld.config.OutboundHosts.refusal(u.getHost());
        }
        return withPort + " is not on the remotes allow-list (" + (allowed.isEmpty() ? "empty" : String.join(", ",
                allowed)) + "); start modeld with --remotes " + (allowed.isEmpty() ? "" : String.join(",", allowed) + ",")
                + withPort + " (or OLLAMA_REMOTES) to let it be contacted";
    }

    /** FORBIDDEN when {@code base} may not be contacted. */
    public void check(String base) {
        String why = refusal(base);
        if (why != null) {
            throw ModeldException.forbidden(why);
        }
    }

    /** The key kept for {@code base}'s host and port, or null. */
    synchronized String key(String base) {
        return keys.get(hostPort(base));
    }

    /** Whether a key is kept for {@code base}'s host and port. */
    public synchronized boolean hasKey(String base) {
        return keys.containsKey(hostPort(base));
    }

    /** Keeps {@code key} for {@code base}'s host and port (null or blank: forgets it), durably. */
    public synchronized void key(String base, String key) {
        String hp = hostPort(base);
        if (key == null || key.isBlank()) {
            if (keys.remove(hp) == null) {
                return;
            }
        } else {
            checkKey(key);
            keys.put(hp, key.strip());
        }
        save();
    }

    /** INVALID unless {@code key} can be sent as a bearer token: printable ASCII without spaces, at most 4 KiB. */
    public static void checkKey(String key) {
        String k = key.strip();
        if (k.isEmpty() || k.length() > 4096 || k.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw ModeldException.invalid("key: printable ASCII without spaces, at most 4096 characters");
        }
    }

    /** The hosts that have a key kept, as {@code host:port}. */
    public synchronized List<String> keyed() {
        return List.copyOf(keys.keySet());
    }

    private void save() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode hosts = root.putObject("hosts");
        keys.forEach((h, k) -> hosts.putObject(h).put("key", k));
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            PrivateFiles.file(tmp);
            Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
