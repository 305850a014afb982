package io.modeld.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.config.BuildInfo;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry's logins as it asks for them: its last challenge per host (Basic, or Bearer from a token
 * service), and the tokens fetched per repository and actions, renewed a tenth before they lapse or when
 * refused. Logins come from {@link Credentials}; a token service of an https registry over plain http never
 * gets one.
 */
final class RegistryTokens {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private record Token(String header, long expiresAtNanos) {
    }

    private final RegistryClient client;
    private final Credentials credentials;
    private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    RegistryTokens(RegistryClient client, Credentials credentials) {
        this.client = client;
        this.credentials = credentials;
    }

    /** {@code host} answered with this challenge: the next requests answer it. */
    void challenged(String host, Challenge c) {
        challenges.put(host, c);
    }

    private static String key(RegistryRef ref, String actions) {
        return ref.host() + " " + ref.repository() + " " + actions;
    }

    /**
     * The Authorization header for {@code actions} ({@code pull} or {@code pull,push}) on the reference's
     * repository, as the registry last asked; null when it has not asked for any.
     */
    String authorization(RegistryRef ref, String actions) throws RegistryException {
        Challenge c = challenges.get(ref.host());
        if (c == null) {
            return null;
        }
        Credentials.Login login = credentials.forHost(ref.host());
        if (!c.bearer()) {
            return login == null ? null : login.basic();
        }
        Token t = tokens.get(key(ref, actions));
        if (t != null && System.nanoTime() < t.expiresAtNanos()) {
            return t.header();
        }
        t = token(ref, actions, c, login);
        tokens.put(key(ref, actions), t);
        return t.header();
    }

    /** The header given was refused (a token that expired early): the next one is fetched anew. */
    void rejected(RegistryRef ref, String actions) {
        tokens.remove(key(ref, actions));
    }

    private Token token(RegistryRef ref, String actions, Challenge c, Credentials.Login login) throws RegistryException {
        String realm = c.realm();
        if (realm == null || !(realm.startsWith("https://") || realm.startsWith("http://"))) {
            throw new RegistryException(ref.host() + " asked for a token without a usable realm", false);
        }
        refuseDowngrade(ref.host(), client.base(ref), realm);
        StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        if (c.params().containsKey("service")) {
            q.append("service=").append(enc(c.params().get("service"))).append('&');
        }
        q.append("scope=").append(enc("repository:" + ref.repository() + ":" + actions));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(q.toString())).timeout(TIMEOUT)
                .header("User-Agent", "modeld/" + BuildInfo.version()).GET();
        if (login != null) {
            req.header("Authorization", login.basic());
        }
        HttpResponse<byte[]> r = client.exchange(req.build(), RegistryClient.MAX_SMALL);
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new RegistryException(ref.host() + " refused the " + (login == null ? "anonymous " : "")
                    + "token request for " + ref.repository() + " (" + r.statusCode() + ")"
                    + (login == null ? ": add a login for " + ref.host() + " to ~/.docker/config.json or "
                    + "MODELD_REGISTRY_AUTH" : ": check the login for " + ref.host()), false);
        }
        if (r.statusCode() != 200) {
            throw new RegistryException("the token service of " + ref.host() + " answered " + r.statusCode(),
                    r.statusCode() >= 500 || r.statusCode() == 429);
        }
        try {
            JsonNode json = Json.MAPPER.readTree(r.body());
            String token = json.path("token").asText(json.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new RegistryException("the token service of " + ref.host() + " gave no token", false);
            }
            long seconds = Math.max(10, json.path("expires_in").asLong(60));
            // Renew 10% early, so a long blob request never starts with a token about to lapse.
            return new Token("Bearer " + token, System.nanoTime() + Duration.ofSeconds(seconds).toNanos() * 9 / 10);
        } catch (IOException e) {
            throw new RegistryException("the token service of " + ref.host() + " answered no JSON", false);
        }
    }

    /** An https registry's login never goes to a plain-http token service. */
    static void refuseDowngrade(String host, URI registry, String realm) throws RegistryException {
        if (realm.regionMatches(true, 0, "http://", 0, 7) && registry.getScheme().equals("https")) {
            throw new RegistryException(host + " names a plain-http token service (" + URI.create(realm).getHost()
                    + "); modeld never sends the login of an https registry over http", false);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
