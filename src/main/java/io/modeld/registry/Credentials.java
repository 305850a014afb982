package io.modeld.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Registry credentials, read where Docker keeps them and never stored by modeld: the {@code auths} of
 * {@code ~/.docker/config.json} (base64 {@code auth}, or {@code username} and {@code password}), its
 * credential helpers ({@code credHelpers} per host, {@code credsStore} for all), run as Docker runs them
 * ({@code docker-credential-<name> get} with the host on stdin), and {@code MODELD_REGISTRY_AUTH}
 * ({@code host[:port]=user:secret}, several separated by commas), which wins. Hosts match with or without
 * a scheme; Docker Hub's names ({@code https://index.docker.io/v1/}, {@code docker.io}) are one host.
 */
public final class Credentials {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Credentials.class);

    /** A user and secret. {@link #toString} hides the secret, so a log line can never show it. */
    public record Login(String user, String secret) {
        String basic() {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Login[" + user + ", secret hidden]";
        }
    }

    private final Map<String, Login> logins;
    private final Map<String, String> helpers;
    private final String defaultHelper;

    private Credentials(Map<String, Login> logins, Map<String, String> helpers, String defaultHelper) {
        this.logins = logins;
        this.helpers = helpers;
        this.defaultHelper = defaultHelper;
    }

    /** No credentials at all. */
    public static Credentials none() {
        return new Credentials(Map.of(), Map.of(), null);
    }

    /**
     * The credentials of {@code dockerConfig} (may be missing) and of {@code envAuth} (may be null).
     * IllegalArgumentException when either is malformed, naming which.
     */
    public static Credentials load(Path dockerConfig, String envAuth) {
        Map<String, Login> logins = new HashMap<>();
        Map<String, String> helpers = new HashMap<>();
        String defaultHelper = null;
        if (dockerConfig != null && Files.isRegularFile(dockerConfig)) {
            JsonNode config;
            try {
                config = Json.MAPPER.readTree(dockerConfig.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException(dockerConfig + " is not valid JSON: " + e.getMessage());
            }
            config.path("auths").fields().forEachRemaining(e -> {
                Login login = login(e.getValue());
                if (login != null) {
                    logins.put(hostOf(e.getKey()), login);
                }
            });
            config.path("credHelpers").fields().forEachRemaining(e -> helpers.put(hostOf(e.getKey()), e.getValue().asText()));
            defaultHelper = config.path("credsStore").isTextual() ? config.get("credsStore").asText() : null;
        }
        if (envAuth != null && !envAuth.isBlank()) {
            for (String entry : envAuth.split(",")) {
                int eq = entry.indexOf('=');
                int colon = entry.indexOf(':', eq + 1);
                if (eq <= 0 || colon < 0) {
                    throw new IllegalArgumentException("MODELD_REGISTRY_AUTH: each entry is host[:port]=user:secret");
                }
                logins.put(hostOf(entry.substring(0, eq).strip()),
                        new Login(entry.substring(eq + 1, colon), entry.substring(colon + 1)));
            }
        }
        return new Credentials(Map.copyOf(logins), Map.copyOf(helpers), defaultHelper);
    }

    private static Login login(JsonNode entry) {
        if (entry.path("auth").isTextual() && !entry.get("auth").asText().isEmpty()) {
            String decoded = new String(Base64.getDecoder().decode(entry.get("auth").asText()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new Login(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        if (entry.path("username").isTextual() && entry.path("password").isTextual()) {
            return new Login(entry.get("username").asText(), entry.get("password").asText());
        }
        return null;
    }

    /** {@code host[:port]} of a config key: a scheme and path are dropped; Docker Hub's aliases are one. */
    static String hostOf(String key) {
        String h = key.toLowerCase(Locale.ROOT).replaceFirst("^[a-z]+://", "");
        int slash = h.indexOf('/');
        h = slash >= 0 ? h.substring(0, slash) : h;
        return switch (h) {
            case "docker.io", "index.docker.io", "registry-1.docker.io" -> RegistryRef.DOCKER_HUB;
            default -> h;
        };
    }

    /** The login for a registry host, or null: the environment, then the config's auths, then its helpers. */
    public Login forHost(String host) {
        String key = hostOf(host);
        Login direct = logins.get(key);
        if (direct != null) {
            return direct;
        }
        String helper = helpers.getOrDefault(key, defaultHelper);
        return helper == null ? null : fromHelper(helper, key);
    }

    private static Login fromHelper(String helper, String host) {
        String server = host.equals(RegistryRef.DOCKER_HUB) ? "https://index.docker.io/v1/" : host;
        try {
            Process p = new ProcessBuilder("docker-credential-" + helper, "get").redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().write(server.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(64 << 10);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;   // the helper has nothing for this host
            }
            JsonNode answer = Json.MAPPER.readTree(out);
            String user = answer.path("Username").asText("");
            String secret = answer.path("Secret").asText("");
            return secret.isEmpty() || user.equals("<token>") ? null : new Login(user, secret);
        } catch (IOException e) {
            LOG.warn("registry: the credential helper docker-credential-{} could not be run: {}", helper, e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
