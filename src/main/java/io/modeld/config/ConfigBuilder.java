package io.modeld.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Collects settings for a {@link Config}; {@link #build()} checks them together. */
public final class ConfigBuilder {

    final Path dataDir;
    String host = "127.0.0.1";
    Integer port;
    Path catalogFile;
    long memoryBudget = Sizes.defaultMemoryBudget();
    Duration keepAlive;
    int maxDownloads = 2;
    int connections = 8;
    List<String> allowedOrigins = List.of();
    boolean resumeDownloads = true;
    Duration stallTimeout = Config.DEFAULT_STALL_TIMEOUT;
    String hfEndpoint = Config.DEFAULT_HF_ENDPOINT;
    String hfToken;
    String apiKey;
    Path llamaLib;
    boolean spareRunner = true;
    int ollamaPort = Config.OLLAMA_PORT;
    List<String> library = List.of();
    Config.Registries registries = Config.Registries.none();
    long maxBandwidth;
    int parallel;
    int context;
    String kvCacheType = "f16";
    String flashAttention = "auto";
    Duration stepTimeout = Config.DEFAULT_STEP_TIMEOUT;
    long cacheRam = -1;
    long cacheDisk = Config.DEFAULT_CACHE_DISK;
    boolean draft = true;
    String draftModel;
    boolean mediaUrls;
    java.util.List<String> remotes = java.util.List.of();
    boolean metrics = true;
    Config.Gpu gpu = Config.Gpu.NONE;

    ConfigBuilder(Path dataDir) {
        this.dataDir = dataDir;
    }

    public ConfigBuilder host(String v) {
        host = v;
        return this;
    }

    public ConfigBuilder port(Integer v) {
        port = v;
        return this;
    }

    public ConfigBuilder catalogFile(Path v) {
        catalogFile = v;
        return this;
    }

    public ConfigBuilder memoryBudget(long v) {
        memoryBudget = v;
        return this;
    }

    public ConfigBuilder keepAlive(Duration v) {
        keepAlive = v;
        return this;
    }

    public ConfigBuilder maxDownloads(int v) {
        maxDownloads = v;
        return this;
    }

    public ConfigBuilder connections(int v) {
        connections = v;
        return this;
    }

    public ConfigBuilder allowedOrigins(List<String> v) {
        allowedOrigins = v;
        return this;
    }

    public ConfigBuilder resumeDownloads(boolean v) {
        resumeDownloads = v;
        return this;
    }

    public ConfigBuilder stallTimeout(Duration v) {
        stallTimeout = v;
        return this;
    }

    public ConfigBuilder hfEndpoint(String v) {
        hfEndpoint = v;
        return this;
    }

    public ConfigBuilder hfToken(String v) {
        hfToken = v;
        return this;
    }

    public ConfigBuilder apiKey(String v) {
        apiKey = v;
        return this;
    }

    public ConfigBuilder llamaLib(Path v) {
        llamaLib = v;
        return this;
    }

    public ConfigBuilder spareRunner(boolean v) {
        spareRunner = v;
        return this;
    }

    public ConfigBuilder ollamaPort(int v) {
        ollamaPort = v;
        return this;
    }

    public ConfigBuilder library(List<String> v) {
        library = v;
        return this;
    }

    public ConfigBuilder registries(Config.Registries v) {
        registries = v;
        return this;
    }

    public ConfigBuilder parallel(int v) {
        parallel = v;
        return this;
    }

    public ConfigBuilder context(int v) {
        context = v;
        return this;
    }

    public ConfigBuilder kvCache(String type, String flash) {
        kvCacheType = type;
        flashAttention = flash;
        return this;
    }

    public ConfigBuilder stepTimeout(Duration v) {
        stepTimeout = v;
        return this;
    }

    /** The prompt cache's bounds: RAM (-1 auto, 0 none) and disk (0 none). */
    public ConfigBuilder promptCache(long ram, long disk) {
        cacheRam = ram;
        cacheDisk = disk;
        return this;
    }

    /** Whether chat models draft tokens by n-gram lookup when a slot runs alone. */
    public ConfigBuilder draft(boolean v) {
        draft = v;
        return this;
    }

    /** A smaller chat model that drafts for the others (null: none). */
    public ConfigBuilder draftModel(String v) {
        draftModel = v == null || v.isBlank() ? null : v;
        return this;
    }

    /** Which GPU the runners use and how much of it. */
    public ConfigBuilder gpu(Config.Gpu v) {
        gpu = v;
        return this;
    }

    /** The hosts remote models may live on ({@code --remotes}). */
    public ConfigBuilder remotes(java.util.List<String> v) {
        remotes = java.util.List.copyOf(v);
        return this;
    }

    /** Whether {@code GET /metrics} answers. */
    public ConfigBuilder metrics(boolean v) {
        metrics = v;
        return this;
    }

    /** Whether images named by http(s) URLs are fetched. */
    public ConfigBuilder mediaUrls(boolean v) {
        mediaUrls = v;
        return this;
    }

    public ConfigBuilder maxBandwidth(long v) {
        maxBandwidth = v;
        return this;
    }

    public Config build() {
        return new Config(host, port, dataDir, catalogFile, memoryBudget, keepAlive, maxDownloads, connections,
                allowedOrigins, resumeDownloads, stallTimeout, hfEndpoint, hfToken, apiKey, llamaLib, spareRunner,
                ollamaPort, library, registries, maxBandwidth, parallel, context, kvCacheType,
                flashAttention, stepTimeout, cacheRam, cacheDisk, draft, draftModel, mediaUrls, metrics, gpu, remotes);
    }
}
