package io.modeld.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.config.BuildInfo;
import io.modeld.config.OutboundHosts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;

/**
 * Talks OCI Distribution to registries for everything but the bulk of a pull (manifests, small blobs,
 * tokens, uploads), and hands the download engine what it needs for blobs: their URL and the
 * Authorization header of the moment.
 *
 * <p>Auth follows the registry's {@code WWW-Authenticate}: nothing is sent until a 401 asks; a Bearer
 * challenge is answered with a token from its realm (any host, as Docker Hub's {@code auth.docker.io}
 * and Hugging Face's {@code huggingface.co} need; with the login as Basic when there is one; the reply's
 * {@code token} or {@code access_token}), kept per repository and actions until {@code expires_in} runs
 * out or a request is refused; a Basic challenge is answered with the login. A login or token goes only
 * to the registry's own origin (scheme, host and port) and its realm's, never to a redirect target or an
 * upload {@code Location} elsewhere; an https registry's login never travels over http (a plain-http
 * realm or upload location is refused). Every body is read up to a limit before it is buffered
 * ({@link BoundedBody}). Registries on loopback and those named with {@code --insecure-registry} are
 * spoken to over plain HTTP, all others over HTTPS.
 */
public final class RegistryClient {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RegistryClient.class);

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_REDIRECTS = 5;
    private static final long MAX_MANIFEST = 4 << 20;
    /** Token answers, error bodies and the answers of uploads: small JSON at most. */
    static final long MAX_SMALL = 64 << 10;


    /** Made at the first request: most starts never speak to a registry, and making one costs a tenth of a second. */
    private volatile HttpClient http;
    private final Credentials credentials;
    private final Set<String> insecure;
    private final RegistryTokens tokens;

    public RegistryClient(Credentials credentials, Set<String> insecure) {
        this.credentials = credentials;
        this.insecure = Set.copyOf(insecure);
        this.tokens = new RegistryTokens(this, credentials);
    }

    private HttpClient http() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                            .followRedirects(HttpClient.Redirect.NEVER).build();
                }
                c = http;
            }
        }
        return c;
    }

    /** {@code http://} for loopback and insecure registries, else {@code https://}; then the host and /v2/. */
    public URI base(RegistryRef ref) {
        return URI.create((plainHttp(ref) ? "http" : "https") + "://" + ref.host() + "/v2/");
    }

    private boolean plainHttp(RegistryRef ref) {
        if (insecure.contains(ref.host()) || insecure.contains(ref.hostName())) {
            return true;
        }
        String h = ref.hostName();
        if (h.equals("localhost")) {
            return true;
        }
        try {
            return h.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?") && InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The URL of a blob in the reference's repository. */
    public URI blobUri(RegistryRef ref, String digest) {
        if (!Manifest.DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return base(ref).resolve(ref.repository() + "/blobs/" + digest);
    }

    URI manifestUri(RegistryRef ref, String reference) {
        return base(ref).resolve(ref.repository() + "/manifests/" + reference);
    }

    /**
     * The Authorization header for {@code actions} ({@code pull} or {@code pull,push}) on the reference's
     * repository, as the registry last asked ({@link RegistryTokens}); null when it has not asked for any.
     */
    public String authorization(RegistryRef ref, String actions) throws RegistryException {
        return tokens.authorization(ref, actions);
    }

    /** The header given was refused (a token that expired early): the next one is fetched anew. */
    public void rejected(RegistryRef ref, String actions) {
        tokens.rejected(ref, actions);
    }

    /** An https registry's login never goes to a plain-http token service. */
    static void refuseDowngrade(String host, URI registry, String realm) throws RegistryException {
        RegistryTokens.refuseDowngrade(host, registry, realm);
    }

    /**
     * Sends a request to the registry, answering a 401 once with what its challenge asks for, following
     * redirects (without the Authorization header to another origin); the answer's body is read up to a
     * small limit. A request to another origin (an upload location elsewhere) goes without any
     * Authorization and its 401 is not answered.
     */
    public HttpResponse<byte[]> send(RegistryRef ref, String actions, HttpRequest.Builder request) throws RegistryException {
        return send(ref, actions, request, MAX_SMALL);
    }

    private HttpResponse<byte[]> send(RegistryRef ref, String actions, HttpRequest.Builder request, long maxBody)
            throws RegistryException {
        request.timeout(TIMEOUT).header("User-Agent", "modeld/" + BuildInfo.version());
        boolean ours = sameOrigin(request.copy().build().uri(), base(ref));
        for (int attempt = 0; ; attempt++) {
            String auth = ours ? authorization(ref, actions) : null;
            HttpRequest built = auth == null ? request.copy().build()
                    : request.copy().header("Authorization", auth).build();
            HttpResponse<byte[]> r = follow(built, auth, maxBody);
            if (r.statusCode() != 401 || attempt > 0 || !ours) {
                if (r.statusCode() == 401) {
                    throw new RegistryException(ref.host() + " refused " + (auth == null ? "an anonymous request"
                            : "the credentials") + " for " + ref.repository() + ": add a login for " + ref.host()
                            + " to ~/.docker/config.json or MODELD_REGISTRY_AUTH", false);
                }
                return r;
            }
            Challenge c = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
            if (c == null) {
                throw new RegistryException(ref.host() + " answered 401 without a challenge modeld speaks", false);
            }
            tokens.challenged(ref.host(), c);
            rejected(ref, actions);
            if (!c.bearer() && credentials.forHost(ref.host()) == null) {
                throw new RegistryException(ref.host() + " needs a login: add one to ~/.docker/config.json or "
                        + "MODELD_REGISTRY_AUTH", false);
            }
        }
    }

    private HttpResponse<byte[]> follow(HttpRequest first, String auth, long maxBody) throws RegistryException {
        HttpRequest req = first;
        for (int hop = 0; ; hop++) {
            HttpResponse<byte[]> r = exchange(req, maxBody);
            int s = r.statusCode();
            var location = r.headers().firstValue("Location");
            boolean redirect = (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) && location.isPresent()
                    && (req.method().equals("GET") || req.method().equals("HEAD"));
            if (!redirect) {
                return r;
            }
            if (hop >= MAX_REDIRECTS) {
                throw new RegistryException("more than " + MAX_REDIRECTS + " redirects from " + first.uri().getHost(), false);
            }
            URI next = req.uri().resolve(location.get());
            if (!"http".equalsIgnoreCase(next.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                throw new RegistryException(first.uri().getHost() + " redirected to a " + next.getScheme()
                        + ": URL; only http and https are followed", false);
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(next).timeout(TIMEOUT).method(req.method(),
                    HttpRequest.BodyPublishers.noBody());
            req.headers().map().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("Authorization") && !name.equalsIgnoreCase("Host")) {
                    values.forEach(v -> b.header(name, v));
                }
            });
            if (auth != null && sameOrigin(next, first.uri())) {
                b.header("Authorization", auth);
            }
            req = b.build();
        }
    }

    /** Whether both URLs have one scheme, host and port: the only place a login may go. */
    static boolean sameOrigin(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort()
                && a.getScheme().equalsIgnoreCase(b.getScheme());
    }

    HttpResponse<byte[]> exchange(HttpRequest req, long maxBody) throws RegistryException {
        String refused = OutboundHosts.refusal(req.uri().getHost());
        if (refused != null) {
            throw new RegistryException(refused, false);
        }
        try {
            return http().send(req, BoundedBody.upTo(maxBody));
        } catch (IOException e) {
            if (BoundedBody.cause(e) != null) {
                throw new RegistryException(req.uri().getHost() + " answered " + req.method() + " " + req.uri().getPath()
                        + " with more than " + maxBody + " bytes; modeld reads no more", false);
            }
            // one wording for refused, reset, silent and non-HTTP (issue 29): the log keeps the cause
            LOG.debug("{} unreachable: {}", req.uri().getHost(), e.toString());
            int port = req.uri().getPort() >= 0 ? req.uri().getPort()
                    : "https".equalsIgnoreCase(req.uri().getScheme()) ? 443 : 80;
            throw new RegistryException("cannot reach " + req.uri().getHost() + ":" + port + " (no HTTP answer)", true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted", true);
        }
    }

    /** The manifest the reference names (through an index to its linux/amd64 manifest), checked against its digest. */
    public Manifest manifest(RegistryRef ref) throws RegistryException {
        String reference = ref.reference();
        for (int depth = 0; depth < 2; depth++) {
            HttpResponse<byte[]> r = send(ref, "pull", HttpRequest.newBuilder(manifestUri(ref, reference))
                    .header("Accept", Manifest.ACCEPT).GET(), MAX_MANIFEST);
            check(r, ref, "manifest " + ref.repository() + (reference.startsWith("sha256:") ? "@" : ":") + reference);
            byte[] raw = r.body();
            String digest = "sha256:" + sha256(raw);
            if (reference.startsWith("sha256:") && !reference.equals(digest)) {
                throw new RegistryException("the manifest " + reference + " arrived with digest " + digest, false);
            }
            Manifest.IndexChoice[] choice = new Manifest.IndexChoice[1];
            try {
                Manifest m = Manifest.parse(raw, digest, r.headers().firstValue("Content-Type").orElse(null), choice);
                if (m != null) {
                    return m;
                }
            } catch (IOException e) {
                throw new RegistryException(ref + ": " + e.getMessage(), false);
            }
            reference = choice[0].digest();
        }
        throw new RegistryException(ref + ": an index pointing at another index", false);
    }

    /** The digest of the manifest the reference names now (what an update compares), from a HEAD when it can. */
    public String manifestDigest(RegistryRef ref) throws RegistryException {
        HttpResponse<byte[]> r = send(ref, "pull", HttpRequest.newBuilder(manifestUri(ref, ref.reference()))
                .header("Accept", Manifest.ACCEPT).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        check(r, ref, "manifest " + ref.repository() + ":" + ref.reference());
        var header = r.headers().firstValue("Docker-Content-Digest");
        if (header.isPresent() && header.get().matches("sha256:[0-9a-f]{64}")) {
            return header.get();
        }
        return manifest(ref).digest();
    }

    /** A small blob (a template, parameters), checked against its digest. */
    public byte[] smallBlob(RegistryRef ref, Manifest.Descriptor d) throws RegistryException {
        if (d.size() > LayerKind.MAX_TEXT) {
            throw new RegistryException("the " + d.mediaType() + " layer is larger than " + LayerKind.MAX_TEXT + " bytes", false);
        }
        HttpResponse<byte[]> r = send(ref, "pull", HttpRequest.newBuilder(blobUri(ref, d.digest())).GET(),
                LayerKind.MAX_TEXT);
        check(r, ref, "blob " + d.digest() + " in " + ref.repository());
        if (!("sha256:" + sha256(r.body())).equals(d.digest())) {
            throw new RegistryException("the blob " + d.digest() + " of " + ref + " does not match its digest", false);
        }
        return r.body();
    }

    static void check(HttpResponse<byte[]> r, RegistryRef ref, String what) throws RegistryException {
        int s = r.statusCode();
        if (s == 200 || s == 201 || s == 202 || s == 204 || s == 206) {
            return;
        }
        String codes = errorCodes(r.body());
        if (s == 404) {
            throw RegistryException.notFound(ref.host() + " has no " + what + codes);
        }
        throw new RegistryException(ref.host() + " answered " + s + " for " + what + codes, s >= 500 || s == 429);
    }

    /** The codes of a registry's error body ({@code {"errors": [{"code", "message"}]}}), for messages. */
    private static String errorCodes(byte[] body) {
        try {
            JsonNode errors = Json.MAPPER.readTree(body).path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                StringBuilder sb = new StringBuilder(" (");
                for (JsonNode e : errors) {
                    sb.append(sb.length() > 2 ? "; " : "").append(e.path("code").asText()).append(": ")
                            .append(e.path("message").asText());
                }
                return sb.append(')').toString();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: nothing more to say
        }
        return "";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
