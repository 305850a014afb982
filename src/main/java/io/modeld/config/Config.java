package io.modeld.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@code modeld serve} is told, after flags and {@code MODELD_*} variables are resolved.
 *
 * @param port the port to serve; {@code null} means the defaults: 39300, and also 1000 where the OS allows
 * @param catalogFile a catalog used in place of the built-in one, or {@code null}
 * @param keepAlive idle time after which a loaded model is unloaded, or {@code null} for never
 * @param allowedOrigins browser origins besides the daemon's own that may call the API
 * @param resumeDownloads whether downloads interrupted by a previous run resume at startup
 * @param stallTimeout how long a download connection may stay silent before it is reopened
 * @param hfEndpoint where hf:// sources resolve ({@code HF_ENDPOINT}, default https://huggingface.co)
 * @param hfToken a Hugging Face token ({@code HF_TOKEN}) sent to that host only, or null
 */
public record Config(String host, Integer port, Path dataDir, Path catalogFile, long memoryBudget,
                     Duration keepAlive, int maxDownloads, int connections, List<String> allowedOrigins,
                     boolean resumeDownloads, Duration stallTimeout, String hfEndpoint, String hfToken) {

    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    public static final String DEFAULT_HF_ENDPOINT = "https://huggingface.co";

    /** The port Pieces OS uses today, where its SDK wrappers look first. */
    public static final int DEFAULT_PORT = 39300;
    /** The base URL's port in the Model API document; served too when the OS allows it. */
    public static final int SEED_PORT = 1000;

    public Config {
        if (maxDownloads < 1) {
            throw new IllegalArgumentException("--max-downloads must be at least 1");
        }
        if (connections < 1 || connections > 64) {
            throw new IllegalArgumentException("--connections must be between 1 and 64");
        }
        if (memoryBudget <= 0) {
            throw new IllegalArgumentException("--memory-budget must be more than 0");
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("--port must be between 0 and 65535");
        }
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** A config for tests and embedding: loopback, an ephemeral port, the given data dir, defaults elsewhere. */
    public static Config forDataDir(Path dataDir) {
        return new Config("127.0.0.1", 0, dataDir, null, Sizes.defaultMemoryBudget(), null, 2, 8, List.of(),
                true, DEFAULT_STALL_TIMEOUT, DEFAULT_HF_ENDPOINT, null);
    }

    public Config withCatalog(Path file) {
        return new Config(host, port, dataDir, file, memoryBudget, keepAlive, maxDownloads, connections,
                allowedOrigins, resumeDownloads, stallTimeout, hfEndpoint, hfToken);
    }

    public Config withPort(Integer newPort) {
        return new Config(host, newPort, dataDir, catalogFile, memoryBudget, keepAlive, maxDownloads, connections,
                allowedOrigins, resumeDownloads, stallTimeout, hfEndpoint, hfToken);
    }

    /** The same config with other download limits and timing, for tests and embedding. */
    public Config withDownloads(int newMaxDownloads, int newConnections, boolean resume, Duration stall) {
        return new Config(host, port, dataDir, catalogFile, memoryBudget, keepAlive, newMaxDownloads, newConnections,
                allowedOrigins, resume, stall, hfEndpoint, hfToken);
    }

    /** The same config with another memory budget. */
    public Config withMemoryBudget(long bytes) {
        return new Config(host, port, dataDir, catalogFile, bytes, keepAlive, maxDownloads, connections,
                allowedOrigins, resumeDownloads, stallTimeout, hfEndpoint, hfToken);
    }

    /** The same config with another Hugging Face endpoint and token. */
    public Config withHuggingFace(String endpoint, String token) {
        return new Config(host, port, dataDir, catalogFile, memoryBudget, keepAlive, maxDownloads, connections,
                allowedOrigins, resumeDownloads, stallTimeout, endpoint, token);
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
