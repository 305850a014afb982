package io.modeld.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@code modeld serve} is told, after flags and {@code MODELD_*} variables are resolved.
 * Built with {@link #builder(Path)}; tests change one setting with {@link #toBuilder()}.
 *
 * @param port the port to serve; {@code null} means the defaults: 39300, and also 1000 where the OS allows
 * @param catalogFile a catalog used in place of the built-in one, or {@code null}
 * @param keepAlive idle time after which a loaded model is unloaded, or {@code null} for never
 * @param allowedOrigins browser origins besides the daemon's own that may call the API
 * @param resumeDownloads whether downloads interrupted by a previous run resume at startup
 * @param stallTimeout how long a download connection may stay silent before it is reopened
 * @param hfEndpoint where hf:// sources resolve ({@code HF_ENDPOINT}, default https://huggingface.co)
 * @param hfToken a Hugging Face token ({@code HF_TOKEN}) sent to that host only, or null
 * @param apiKey the bearer token every request must carry, or null for none (loopback only)
 * @param llamaLib a folder with the user's own llama.cpp libraries, used instead of the bundled ones; or null
 * @param spareRunner keep one runner process started and idle, so a load skips the process start
 *                    ({@code serve} does; {@link #forDataDir} does not, to keep tests light)
 * @param ollamaPort a second port that serves the same API for Ollama's clients (11434 for {@code serve});
 *                   0 for none (the default of {@link #forDataDir})
 * @param library the folders of models used in place, as {@code KIND=DIR} (see {@code LibraryRoot}); {@code serve}
 *                adds where Ollama, the Hugging Face hub, llama.cpp and LM Studio keep theirs; none by default
 * @param registries how registries are reached: which may use plain HTTP, and where logins are
 * @param maxBandwidth the cap on all downloads together, in bytes per second; 0 for none
 * @param parallel requests a loaded chat model serves at once (its slots); 0 for auto (4, fewer when
 *                 their KV cache does not fit the memory budget)
 * @param context the context a chat model loads with when its Modelfile and the request name none; 0 for
 *                auto (the largest the memory budget allows its slots, up to the model's trained context)
 * @param kvCacheType the element type of the chat models' KV cache: f16, q8_0 or q4_0
 * @param flashAttention flash attention for the chat models: auto, on or off
 * @param stepTimeout the longest one step of a request may take in a runner (rendering, tokenizing, building a
 *                    grammar, sampling a token; a decode may take ten); past it the step is ended
 * @param cacheRam the RAM a chat model's prompt cache may take, in bytes, charged to the memory budget; -1 for
 *                 auto (what the budget has free at its load, up to an eighth of it and 8 GiB); 0 for none
 * @param cacheDisk the bytes the prompt caches may keep in the data dir across unloads and restarts; 0 for none
 * @param draft whether chat models draft tokens by n-gram lookup (speculative decoding) when a slot runs alone
 * @param draftModel a smaller chat model of the same vocabulary that drafts for the chat models whose Modelfile names
 *                   none ({@code PARAMETER draft_model}), drafting being on; null for none
 * @param mediaUrls whether an image a client names by an http(s) URL is fetched (off: such a request is a 400)
 * @param metrics whether {@code GET /metrics} answers (Prometheus' text format)
 * @param gpu which GPU the runners use and how much of it ({@link Gpu})
 * @param remotes the hosts remote models may live on ({@code --remotes}, Ollama's {@code OLLAMA_REMOTES}): {@code host}
 *                (any port) or {@code host:port}; no other host is ever contacted for a remote model. None by default
 */
public record Config(String host, Integer port, Path dataDir, Path catalogFile, long memoryBudget,
                     Duration keepAlive, int maxDownloads, int connections, List<String> allowedOrigins,
                     boolean resumeDownloads, Duration stallTimeout, String hfEndpoint, String hfToken,
                     String apiKey, Path llamaLib, boolean spareRunner, int ollamaPort, List<String> library,
                     Registries registries, long maxBandwidth, int parallel, int context, String kvCacheType,
                     String flashAttention, Duration stepTimeout, long cacheRam, long cacheDisk, boolean draft,
                     String draftModel, boolean mediaUrls, boolean metrics, Gpu gpu, List<String> remotes) {

    /**
     * The GPU: which backend the runners load ({@code --gpu}: auto, vulkan, cuda or none), the layers a model puts
     * on it ({@code --gpu-layers}: -1 for as many as fit, 0 for none), the bytes modeld may take on a device
     * ({@code --gpu-memory}: 0 for what it has free at the start less a margin), and which devices it may use
     * ({@code --gpu-devices}: the driver's numbers such as {@code 0,1}, blank for all).
     */
    public record Gpu(String mode, int layers, long memory, String devices) {

        /** What {@code --gpu-devices} accepts. */
        public static final String DEVICES = "\\d+(,\\d+)*";
        /** The backends {@code --gpu} names (the runner's {@code engine.Gpu}, by name). */
        public static final java.util.List<String> MODES = java.util.List.of("auto", "vulkan", "cuda", "none");
        public static final Gpu AUTO = new Gpu("auto", -1, 0, "");
        /** The CPU alone: the tests' default, so a machine's GPU never changes what they see. */
        public static final Gpu NONE = new Gpu("none", 0, 0, "");

        public Gpu {
            devices = devices == null ? "" : devices.strip();
            mode = mode == null ? "" : mode.strip().toLowerCase(java.util.Locale.ROOT);
            if (!MODES.contains(mode)) {
                throw new IllegalArgumentException("--gpu: auto, vulkan, cuda or none, not '" + mode + "'");
            }
            if (layers < -1) {
                throw new IllegalArgumentException("--gpu-layers must be -1 (as many as fit), 0 (none) or more");
            }
            if (memory < 0) {
                throw new IllegalArgumentException("--gpu-memory must be 0 (what the device has free) or a size");
            }
            if (!devices.isEmpty() && !devices.matches(DEVICES)) {
                throw new IllegalArgumentException("--gpu-devices: device numbers such as 0 or 0,1, not '" + devices + "'");
            }
        }
    }

    /**
     * @param insecure registry hosts ({@code host[:port]}) spoken to over plain HTTP (loopback ones always are)
     * @param dockerConfig Docker's config file with logins and credential helpers; may not exist
     * @param auth {@code MODELD_REGISTRY_AUTH} ({@code host=user:secret,...}) or null; never logged
     */
    public record Registries(List<String> insecure, Path dockerConfig, String auth) {

        public Registries {
            insecure = List.copyOf(insecure);
        }

        /** No insecure hosts, no logins. */
        public static Registries none() {
            return new Registries(List.of(), null, null);
        }

        @Override
        public String toString() {
            return "Registries[insecure=" + insecure + ", dockerConfig=" + dockerConfig + ", auth="
                    + (auth == null ? "none" : "set") + "]";
        }
    }

    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    /** A step of a request in a runner: far past any sane render, grammar or token, short of a hung client. */
    public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(30);
    /** What the prompt caches keep on disk unless told: 4 GiB, a few dozen long agent sessions of a small model. */
    public static final long DEFAULT_CACHE_DISK = 4L << 30;
    public static final String DEFAULT_HF_ENDPOINT = "https://huggingface.co";

    /** Ollama's port, where its clients (and PiecesOS's Ollama slot) look. */
    public static final int OLLAMA_PORT = 11434;

    /** The port Pieces OS uses today, where its SDK wrappers look first. */
    public static final int DEFAULT_PORT = 39300;
    /** The base URL's port in the Model API document; served too when the OS allows it. */
    public static final int SEED_PORT = 1000;

    public Config {
        remotes = remotes == null ? List.of() : List.copyOf(remotes);
        for (String r : remotes) {
            if (!r.matches("[A-Za-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?")) {
                throw new IllegalArgumentException("--remotes: host or host:port names, such as gpu-box.lan or "
                        + "10.0.0.5:11434, not '" + r + "'");
            }
        }
        if (maxDownloads < 1) {
            throw new IllegalArgumentException("--max-downloads must be at least 1");
        }
        if (connections < 1 || connections > 64) {
            throw new IllegalArgumentException("--connections must be between 1 and 64");
        }
        if (parallel < 0 || parallel > 16) {
            throw new IllegalArgumentException("--parallel must be 0 (auto) or from 1 to 16");
        }
        if (context < 0 || context > Setting.MAX_CONTEXT || context > 0 && context < 512) {
            throw new IllegalArgumentException("--context must be 0 (auto) or from 512 to " + Setting.MAX_CONTEXT);
        }
        if (memoryBudget <= 0) {
            throw new IllegalArgumentException("--memory-budget must be more than 0");
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("--port must be between 0 and 65535");
        }
        if (ollamaPort < 0 || ollamaPort > 65535) {
            throw new IllegalArgumentException("--ollama-port must be between 0 (off) and 65535");
        }
        if (apiKey != null && (apiKey.length() < 16 || !apiKey.matches("[\\x21-\\x7e]+"))) {
            throw new IllegalArgumentException("--api-key must be at least 16 visible ASCII characters");
        }
        if (apiKey == null && !isLoopback(host)) {
            throw new IllegalArgumentException("--host " + host + " is reachable from other machines: set --api-key "
                    + "(or MODELD_API_KEY) so that only those who know it can use the daemon");
        }
        allowedOrigins = List.copyOf(allowedOrigins);
        library = List.copyOf(library);
        if (maxBandwidth < 0) {
            throw new IllegalArgumentException("--max-bandwidth must not be negative");
        }
        if (stepTimeout == null || stepTimeout.toMillis() < 100 || stepTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--step-timeout must be between 100ms and 1h");
        }
        if (cacheRam < -1 || cacheDisk < 0) {
            throw new IllegalArgumentException("--cache-ram and --cache-disk are sizes (or 0 for none)");
        }
    }

    /** Whether {@code host} is a loopback name or address, reachable only from this machine. */
    public static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;   // a name: it may resolve to anything
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A config for tests and embedding: loopback, an ephemeral port, the given data dir, defaults elsewhere. */
    public static Config forDataDir(Path dataDir) {
        return builder(dataDir).port(0).spareRunner(false).ollamaPort(0).build();
    }

    /** The defaults of {@code modeld serve} on this data dir. */
    public static ConfigBuilder builder(Path dataDir) {
        return new ConfigBuilder(dataDir);
    }

    public ConfigBuilder toBuilder() {
        ConfigBuilder b = new ConfigBuilder(dataDir);
        b.host = host;
        b.port = port;
        b.catalogFile = catalogFile;
        b.memoryBudget = memoryBudget;
        b.keepAlive = keepAlive;
        b.maxDownloads = maxDownloads;
        b.connections = connections;
        b.allowedOrigins = allowedOrigins;
        b.resumeDownloads = resumeDownloads;
        b.stallTimeout = stallTimeout;
        b.hfEndpoint = hfEndpoint;
        b.hfToken = hfToken;
        b.apiKey = apiKey;
        b.llamaLib = llamaLib;
        b.spareRunner = spareRunner;
        b.ollamaPort = ollamaPort;
        b.library = library;
        b.registries = registries;
        b.maxBandwidth = maxBandwidth;
        b.parallel = parallel;
        b.context = context;
        b.kvCacheType = kvCacheType;
        b.flashAttention = flashAttention;
        b.stepTimeout = stepTimeout;
        b.cacheRam = cacheRam;
        b.cacheDisk = cacheDisk;
        b.draft = draft;
        b.draftModel = draftModel;
        b.mediaUrls = mediaUrls;
        b.metrics = metrics;
        b.gpu = gpu;
        b.remotes = remotes;
        return b;
    }

    public Config withCatalog(Path file) {
        return toBuilder().catalogFile(file).build();
    }

    /** The same config with other download limits and timing, for tests and embedding. */
    public Config withDownloads(int newMaxDownloads, int newConnections, boolean resume, Duration stall) {
        return toBuilder().maxDownloads(newMaxDownloads).connections(newConnections).resumeDownloads(resume)
                .stallTimeout(stall).build();
    }

    /** The same config with another memory budget. */
    public Config withMemoryBudget(long bytes) {
        return toBuilder().memoryBudget(bytes).build();
    }

    /** The same config with another Hugging Face endpoint and token. */
    public Config withHuggingFace(String endpoint, String token) {
        return toBuilder().hfEndpoint(endpoint).hfToken(token).build();
    }

    /** {@code $XDG_DATA_HOME/modeld}, else {@code ~/.local/share/modeld}. */
    public static Path defaultDataDir() {
        String xdg = System.getenv("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "modeld");
        }
        return Path.of(System.getProperty("user.home"), ".local", "share", "modeld");
    }

}
