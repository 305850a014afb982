package io.modeld.cli;

import io.modeld.config.BuildInfo;
import io.modeld.Daemon;
import io.modeld.config.Config;
import io.modeld.config.ConfigBuilder;
import io.modeld.config.DataDir;
import io.modeld.config.DataDirLock;
import io.modeld.config.Setting;
import io.modeld.config.Sizes;
import io.modeld.library.LibraryRoot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code modeld serve}: runs the daemon until SIGTERM or Ctrl-C, then finishes requests in flight. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the daemon. Every option can also be set with the MODELD_<NAME> variable shown.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "${env:MODELD_HOST:-127.0.0.1}",
            description = "Address to bind (MODELD_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "${env:MODELD_PORT}",
            description = "Port to serve (MODELD_PORT; default 39300, plus 1000 where the OS allows).")
    Integer port;

    @Option(names = "--data-dir", defaultValue = "${env:MODELD_DATA_DIR}",
            description = "Where models and state live (MODELD_DATA_DIR; default $XDG_DATA_HOME/modeld, "
                    + "else ~/.local/share/modeld).")
    Path dataDir;

    @Option(names = "--catalog", defaultValue = "${env:MODELD_CATALOG}",
            description = "A catalog file used in place of the built-in one (MODELD_CATALOG).")
    Path catalog;

    @Option(names = "--memory-budget", defaultValue = "${env:MODELD_MEMORY_BUDGET}",
            description = "Memory for loaded models, e.g. 6GiB (MODELD_MEMORY_BUDGET; default 75%% of RAM).")
    String memoryBudget;

    @Option(names = "--keep-alive", defaultValue = "${env:MODELD_KEEP_ALIVE:-never}",
            description = "Idle time before a loaded model is unloaded, e.g. 30m (MODELD_KEEP_ALIVE; default never).")
    String keepAlive;

    @Option(names = "--parallel", defaultValue = "${env:MODELD_PARALLEL:-${env:OLLAMA_NUM_PARALLEL:-0}}",
            description = "Requests a loaded chat model serves at once, decoded together (MODELD_PARALLEL or "
                    + "OLLAMA_NUM_PARALLEL; default 0: auto, 4 where their KV cache fits the memory budget).")
    int parallel;

    @Option(names = "--context", defaultValue = "${env:MODELD_CONTEXT:-${env:OLLAMA_CONTEXT_LENGTH:-0}}",
            description = "The context a chat model loads with when its Modelfile and the request name none "
                    + "(MODELD_CONTEXT or OLLAMA_CONTEXT_LENGTH; default 0: auto, the largest the memory budget "
                    + "allows its slots, up to the model's trained context).")
    int context;

    @Option(names = "--kv-cache-type", defaultValue = "${env:MODELD_KV_CACHE_TYPE:-${env:OLLAMA_KV_CACHE_TYPE:-f16}}",
            description = "The KV cache of chat models: f16, q8_0 (about half the memory) or q4_0 (a quarter) "
                    + "(MODELD_KV_CACHE_TYPE or OLLAMA_KV_CACHE_TYPE; default ${DEFAULT-VALUE}).")
    String kvCacheType;

    @Option(names = "--flash-attention", defaultValue = "${env:MODELD_FLASH_ATTENTION:-${env:OLLAMA_FLASH_ATTENTION:-auto}}",
            description = "Flash attention for chat models: auto (llama.cpp's choice), on or off "
                    + "(MODELD_FLASH_ATTENTION or OLLAMA_FLASH_ATTENTION; default ${DEFAULT-VALUE}).")
    String flashAttention;

    @Option(names = "--cache-ram", defaultValue = "${env:MODELD_CACHE_RAM:-auto}",
            description = "RAM each chat model's prompt cache may take (prefixes its slots no longer hold), charged to "
                    + "the memory budget: a size, 0 for none, or auto: what the budget has free when the model loads, "
                    + "up to an eighth of it and 8GiB (MODELD_CACHE_RAM; default ${DEFAULT-VALUE}).")
    String cacheRam;

    @Option(names = "--cache-disk", defaultValue = "${env:MODELD_CACHE_DISK:-4GiB}",
            description = "Disk the prompt caches keep in the data dir when models unload, found again on their "
                    + "next load and after a restart: a size, or 0 for none (MODELD_CACHE_DISK; default "
                    + "${DEFAULT-VALUE}).")
    String cacheDisk;

    @Option(names = "--draft", defaultValue = "${env:MODELD_DRAFT:-ngram}",
            description = "Speculative decoding for chat models: ngram (a slot generating alone proposes the tokens that "
                    + "followed its last ones earlier in its context, and the model checks them in one decode; the text "
                    + "is the same) or off (MODELD_DRAFT; default ${DEFAULT-VALUE}).")
    String draft;

    @Option(names = "--draft-model", defaultValue = "${env:MODELD_DRAFT_MODEL}",
            description = "A smaller chat model of the same vocabulary (a name or id) that drafts tokens for the chat "
                    + "models whose Modelfile names none (PARAMETER draft_model), when --draft is on: its drafts are "
                    + "checked in one decode, the text is the same (MODELD_DRAFT_MODEL; default none).")
    String draftModel;

    @Option(names = "--media-urls", defaultValue = "${env:MODELD_MEDIA_URLS:-false}", arity = "0..1",
            description = "Fetch an image a client names by an http(s) URL (otherwise such a request is a 400 asking for "
                    + "the image itself): the daemon then reaches what its clients name, link-local addresses and "
                    + "redirects excepted (MODELD_MEDIA_URLS; default ${DEFAULT-VALUE}).")
    boolean mediaUrls;

    @Option(names = "--metrics", defaultValue = "${env:MODELD_METRICS:-on}",
            description = "GET /metrics in Prometheus' text format (behind the API key when one is set): on or off "
                    + "(MODELD_METRICS; default ${DEFAULT-VALUE}).")
    String metrics;

    @Option(names = "--remotes", split = ",", defaultValue = "${env:MODELD_REMOTES:-${env:OLLAMA_REMOTES:-}}",
            description = "The hosts remote models may live on, as host (any port) or host:port, comma-separated; no "
                    + "other host is ever contacted for one (MODELD_REMOTES, else Ollama's OLLAMA_REMOTES; default none).")
    List<String> remotes;

    @Option(names = "--gpu", defaultValue = "${env:MODELD_GPU:-auto}",
            description = "The GPU backend: auto (CUDA where the NVIDIA driver and a CUDA runtime are, else Vulkan where "
                    + "a driver finds a GPU, else the CPU; one log line says which and why), vulkan, cuda (an error when "
                    + "it cannot serve) or none (MODELD_GPU; default ${DEFAULT-VALUE}).")
    String gpu;

    @Option(names = "--gpu-layers", defaultValue = "${env:MODELD_GPU_LAYERS:-auto}",
            description = "Layers a model puts on the GPU: auto (as many as fit), 0 or a number; a request's num_gpu "
                    + "and a Modelfile's PARAMETER num_gpu say it per model (MODELD_GPU_LAYERS; default ${DEFAULT-VALUE}).")
    String gpuLayers;

    @Option(names = "--gpu-memory", defaultValue = "${env:MODELD_GPU_MEMORY:-0}",
            description = "What modeld may take on each GPU, such as 6GiB; 0 for what it has free at the start less a "
                    + "margin (MODELD_GPU_MEMORY; default ${DEFAULT-VALUE}).")
    String gpuMemory;

    @Option(names = "--gpu-devices", defaultValue = "${env:MODELD_GPU_DEVICES:-}",
            description = "The GPUs modeld may use, by the driver's numbers such as 0 or 0,1 (as CUDA_VISIBLE_DEVICES); "
                    + "blank for all (MODELD_GPU_DEVICES).")
    String gpuDevices;

    @Option(names = "--log-format", defaultValue = "${env:MODELD_LOG_FORMAT:-text}",
            description = "The console log: text, or json (one object a line, for a log collector) (MODELD_LOG_FORMAT; "
                    + "default ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--step-timeout", defaultValue = "${env:MODELD_STEP_TIMEOUT:-30s}",
            description = "The longest one step of a request may take in a runner: rendering its template, "
                    + "tokenizing, building its grammar, sampling a token (a decode may take ten); past it the step "
                    + "is ended and the request fails (MODELD_STEP_TIMEOUT; default ${DEFAULT-VALUE}).")
    String stepTimeout;

    @Option(names = "--max-downloads", defaultValue = "${env:MODELD_MAX_DOWNLOADS:-2}",
            description = "Model downloads at once (MODELD_MAX_DOWNLOADS; default ${DEFAULT-VALUE}).")
    int maxDownloads;

    @Option(names = "--connections", defaultValue = "${env:MODELD_CONNECTIONS:-8}",
            description = "Parallel connections per download (MODELD_CONNECTIONS; default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--allowed-origins", split = ",", defaultValue = "${env:MODELD_ALLOWED_ORIGINS}",
            description = "Browser origins, besides the daemon's own, that may call the API "
                    + "(MODELD_ALLOWED_ORIGINS, comma-separated).")
    List<String> allowedOrigins;

    @Option(names = "--resume-downloads", negatable = true, defaultValue = "${env:MODELD_RESUME_DOWNLOADS:-true}",
            fallbackValue = "true",
            description = "Resume downloads interrupted by a previous run at startup (MODELD_RESUME_DOWNLOADS; "
                    + "default true; --no-resume-downloads turns it off).")
    boolean resumeDownloads;

    @Option(names = "--api-key", defaultValue = "${env:MODELD_API_KEY}",
            description = "A secret that every request must send as 'Authorization: Bearer <key>' "
                    + "(MODELD_API_KEY); required when --host is not a loopback address.")
    String apiKey;

    @Option(names = "--api-key-file", defaultValue = "${env:MODELD_API_KEY_FILE}",
            description = "A file whose first line is the API key, as a container's secret is mounted "
                    + "(MODELD_API_KEY_FILE); --api-key wins when both are given.")
    Path apiKeyFile;

    @Option(names = "--ollama-port", defaultValue = "${env:MODELD_OLLAMA_PORT:-11434}",
            description = "Also serve the API on this port for Ollama's clients, when it is free "
                    + "(MODELD_OLLAMA_PORT; default ${DEFAULT-VALUE}; 0 turns it off).")
    int ollamaPort;

    @Option(names = "--llama-lib", defaultValue = "${env:MODELD_LLAMA_LIB}",
            description = "A folder with your own llama.cpp libraries, used instead of the bundled ones "
                    + "(MODELD_LLAMA_LIB): a distro, Homebrew, CUDA or Metal build of the supported release.")
    Path llamaLib;

    @Option(names = "--spare-runner", negatable = true, defaultValue = "${env:MODELD_SPARE_RUNNER:-true}",
            fallbackValue = "true",
            description = "Keep one runner process started and idle, so a load skips starting one (MODELD_SPARE_RUNNER; "
                    + "default true; costs about 66 MB of RAM).")
    boolean spareRunner;

    @Option(names = "--library", paramLabel = "[KIND=]DIR",
            description = "A folder of GGUF models to use in place, never written to (repeatable; MODELD_LIBRARY, "
                    + "folders separated by ':'). KIND is folder (default, searched recursively), ollama, "
                    + "huggingface or lmstudio. Added to the stores of Ollama, the Hugging Face hub, llama.cpp "
                    + "and LM Studio, which are used unless --no-library.")
    List<String> library;

    @Option(names = "--no-library", defaultValue = "${env:MODELD_NO_LIBRARY:-false}",
            description = "Do not use the models in the stores of Ollama, the Hugging Face hub, llama.cpp and "
                    + "LM Studio (MODELD_NO_LIBRARY); --library folders are still used.")
    boolean noLibrary;

    @Option(names = "--insecure-registry", split = ",", paramLabel = "HOST[:PORT]",
            defaultValue = "${env:MODELD_INSECURE_REGISTRY}",
            description = "A registry to reach over plain HTTP instead of HTTPS (repeatable; MODELD_INSECURE_REGISTRY, "
                    + "comma-separated); registries on loopback always are.")
    List<String> insecureRegistries;

    @Option(names = "--max-bandwidth", defaultValue = "${env:MODELD_MAX_BANDWIDTH}", paramLabel = "RATE",
            description = "A cap on all downloads together, e.g. 20MB/s (MODELD_MAX_BANDWIDTH; default none; "
                    + "change it while running with 'modeld bandwidth').")
    String maxBandwidth;

    @Option(names = "--check",
            description = "Start on a free port, answer /.well-known/health and /models once, then stop: "
                    + "checks the installation (./modeld also uses it to build its class-data archive).")
    boolean check;

    @Override
    public Integer call() throws Exception {
        Config config = config();
        switch (logFormat.toLowerCase(java.util.Locale.ROOT)) {
            case "text" -> { }
            case "json" -> io.modeld.config.ConsoleLog.json();
            default -> throw new CliException(ExitCodes.USAGE, "--log-format: text or json, not '" + logFormat + "'");
        }
        if (check) {
            return check(config.toBuilder().port(0).ollamaPort(0).spareRunner(false).library(List.of()).build());
        }
        DataDirLock lock;
        try {
            lock = DataDirLock.acquire(config.dataDir());
        } catch (DataDirLock.InUseException e) {
            throw new CliException(ExitCodes.IN_USE, e.getMessage());
        }
        LogFile.attach(new DataDir(config.dataDir()).logs().resolve("modeld.log"));
        Daemon daemon = Daemon.start(config, lock);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "modeld-shutdown"));
        System.out.println("modeld " + BuildInfo.version() + " serving "
                + daemon.urls().stream().map(URI::toString).collect(Collectors.joining(" "))
                + (daemon.ollamaUrl() == null ? "" : ", for Ollama's clients " + daemon.ollamaUrl())
                + " (data dir " + config.dataDir() + ")");
        System.out.flush();
        stopped.await();
        return ExitCodes.OK;
    }

    private Config config() {
        ConfigBuilder b = Config.builder(dataDir == null ? Config.defaultDataDir() : dataDir)
                .host(host).port(port).catalogFile(catalog)
                .keepAlive(Sizes.parseDuration(flag(Setting.KEEP_ALIVE, keepAlive).asText()))
                .maxDownloads(flag(Setting.MAX_DOWNLOADS, String.valueOf(maxDownloads)).asInt()).connections(connections)
                .allowedOrigins(allowedOrigins == null ? List.of() : allowedOrigins).resumeDownloads(resumeDownloads)
                .hfEndpoint(envOr("HF_ENDPOINT", Config.DEFAULT_HF_ENDPOINT)).hfToken(envOr("HF_TOKEN", null))
                .apiKey(apiKey == null || apiKey.isBlank() ? keyFromFile() : apiKey)
                .ollamaPort(ollamaPort).llamaLib(llamaLib).spareRunner(spareRunner).library(libraryRoots())
                .registries(new Config.Registries(insecureRegistries == null ? List.of() : insecureRegistries,
                        dockerConfig(), envOr("MODELD_REGISTRY_AUTH", null)));
        if (memoryBudget != null) {
            b.memoryBudget(flag(Setting.MEMORY_BUDGET, memoryBudget).asLong());
        }
        b.maxBandwidth(flag(Setting.MAX_BANDWIDTH, maxBandwidth == null ? "off" : maxBandwidth).asLong());
        b.parallel(flag(Setting.PARALLEL, String.valueOf(parallel)).asInt());
        b.context(flag(Setting.CONTEXT, String.valueOf(context)).asInt());
        b.kvCache(flag(Setting.KV_CACHE_TYPE, kvCacheType).asText(), flag(Setting.FLASH_ATTENTION, flashAttention).asText());
        b.stepTimeout(Sizes.parseDuration(stepTimeout));
        b.promptCache(cacheRam.equalsIgnoreCase("auto") ? -1 : Sizes.parseBytes(cacheRam), Sizes.parseBytes(cacheDisk));
        b.draft(switch (draft.toLowerCase(java.util.Locale.ROOT)) {
            case "ngram", "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("--draft: ngram or off, not '" + draft + "'");
        });
        b.draftModel(draftModel);
        b.mediaUrls(mediaUrls);
        b.remotes(remotes == null ? List.of() : remotes.stream().map(String::strip).filter(r -> !r.isEmpty()).toList());
        b.metrics(switch (metrics.toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException("--metrics: on or off, not '" + metrics + "'");
        });
        try {
            b.gpu(new io.modeld.config.Config.Gpu(flag(Setting.GPU, gpu).asText(),
                    flag(Setting.GPU_LAYERS, gpuLayers).asInt(), gpuMemory.strip().equals("0") ? 0
                    : Sizes.parseBytes(gpuMemory), gpuDevices));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
        io.modeld.registry.Credentials.load(null, envOr("MODELD_REGISTRY_AUTH", null));   // malformed: say so now
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
    }

    /** A flag of a run-time setting, read as the setting reads it; a usage error naming the flag otherwise. */
    /** The key in {@code --api-key-file}'s first line, or null when no file is named. */
    private String keyFromFile() {
        if (apiKeyFile == null) {
            return null;
        }
        try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(apiKeyFile)) {
            String line = in.readLine();
            if (line == null || line.isBlank()) {
                throw new CliException(ExitCodes.USAGE, "--api-key-file " + apiKeyFile + " is empty");
            }
            return line.strip();
        } catch (java.io.IOException e) {
            throw new CliException(ExitCodes.USAGE, "--api-key-file " + apiKeyFile + " cannot be read: " + e);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode flag(Setting s, String text) {
        try {
            return s.read(s.fromText(text));
        } catch (IllegalArgumentException e) {
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new CliException(ExitCodes.USAGE, "--" + s.cliName() + ": " + why);
        }
    }

    /** Docker's config file, where Docker looks for it: {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/}. */
    private static Path dockerConfig() {
        String dir = envOr("DOCKER_CONFIG", null);
        return dir != null ? Path.of(dir, "config.json")
                : Path.of(envOr("HOME", System.getProperty("user.home")), ".docker", "config.json");
    }

    /** The library roots: the tools' own stores (unless --no-library), then --library and MODELD_LIBRARY folders. */
    private List<String> libraryRoots() {
        List<LibraryRoot> roots = new ArrayList<>();
        if (!noLibrary) {
            // $HOME as the tools themselves read it (Java's user.home comes from the password database).
            String home = envOr("HOME", System.getProperty("user.home"));
            roots.addAll(LibraryRoot.defaults(System.getenv(), Path.of(home)));
        }
        List<String> given = new ArrayList<>(library == null ? List.of() : library);
        String env = System.getenv("MODELD_LIBRARY");
        if (env != null) {
            Arrays.stream(env.split(":")).filter(s -> !s.isBlank()).forEach(given::add);
        }
        try {
            given.forEach(g -> roots.add(LibraryRoot.parse(g)));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
        return roots.stream().distinct().map(LibraryRoot::toString).toList();
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static int check(Config config) throws Exception {
        long start = System.nanoTime();
        try (Daemon daemon = Daemon.start(config)) {
            HttpClient client = HttpClient.newHttpClient();
            for (String path : List.of("/.well-known/health", "/models")) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(daemon.urls().get(0).resolve(path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    System.err.println("modeld: check failed: " + path + " answered " + r.statusCode());
                    return ExitCodes.FAILURE;
                }
            }
            System.out.println("modeld: check passed, healthy " + (System.nanoTime() - start) / 1_000_000
                    + " ms after start");
            return ExitCodes.OK;
        }
    }
}
