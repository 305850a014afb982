package io.modeld;

import io.modeld.api.ApiServer;
import io.modeld.catalog.Catalog;
import io.modeld.catalog.ModelActivity;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.ModelStore;
import io.modeld.config.BuildInfo;
import io.modeld.config.Config;
import io.modeld.config.DataDir;
import io.modeld.config.DataDirLock;
import io.modeld.config.LogBuffer;
import io.modeld.config.SettingsFile;
import io.modeld.copilot.Conversations;
import io.modeld.engine.KvCache;
import io.modeld.responses.StoredResponses;
import io.modeld.copilot.CopilotModel;
import io.modeld.download.Bandwidth;
import io.modeld.download.Downloads;
import io.modeld.download.Pushes;
import io.modeld.inference.Inference;
import io.modeld.library.Library;
import io.modeld.library.LibraryRoot;
import io.modeld.registry.Credentials;
import io.modeld.registry.RegistryClient;
import io.modeld.runtime.KeepAlive;
import io.modeld.runtime.RunnerFactory;
import io.modeld.runtime.RunnerLauncher;
import io.modeld.runtime.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/** The running daemon: store, catalog, model service and API server, started and stopped together. */
public final class Daemon implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Daemon.class);

    private final Config config;
    private final ModelStore store;
    private final Downloads downloads;
    private final Scheduler scheduler;
    private final KeepAlive keeper;
    private final ApiServer api;
    private final DataDirLock lock;
    private final Library library;
    private final Pushes pushes;
    private final LogBuffer logs;
    private final Conversations conversations;
    private final StoredResponses responses;
    private final Inference inference;
    /** How often the library roots are scanned besides the watcher's changes: for what it cannot see. */
    private static final Duration LIBRARY_RESCAN = Duration.ofSeconds(15);

    private Daemon(Config config, DataDirLock lock, ModelStore store, Downloads downloads, Pushes pushes,
                   Scheduler scheduler, KeepAlive keeper, ApiServer api, Library library, LogBuffer logs,
                   Conversations conversations, StoredResponses responses, Inference inference) {
        this.conversations = conversations;
        this.responses = responses;
        this.inference = inference;
        this.library = library;
        this.logs = logs;
        this.pushes = pushes;
        this.config = config;
        this.lock = lock;
        this.store = store;
        this.downloads = downloads;
        this.scheduler = scheduler;
        this.keeper = keeper;
        this.api = api;
    }

    /** Locks and opens the data dir, merges the catalog and serves the API; returns once requests are answered. */
    public static Daemon start(Config config) {
        DataDirLock lock = DataDirLock.acquire(config.dataDir());
        try {
            return start(config, lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Starts on a data dir whose lock the caller already holds ({@code serve} takes it before it opens
     * the log file, so a second daemon never writes into the first one's log); the daemon releases it.
     */
    public static Daemon start(Config given, DataDirLock lock) {
        // What was changed at run time (PUT /settings, modeld config set) wins over flags and variables.
        Config config = SettingsFile.load(given.dataDir()).applyTo(given);
        // Loading SQLite's native library and parsing the catalog are the two slow steps of startup
        // and independent, so they overlap. The catalog is checked before the data dir is touched.
        CompletableFuture<Void> sqlite = CompletableFuture.runAsync(ModelStore::loadNativeLibrary);
        List<ModelSpec> catalog = config.catalogFile() == null
                ? Catalog.builtIn() : Catalog.fromFile(config.catalogFile());
        DataDir dataDir = new DataDir(config.dataDir());
        try {
            dataDir.create();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data dir " + config.dataDir(), e);
        }
        sqlite.join();
        ModelStore store = ModelStore.open(config.dataDir());
        Downloads downloads = null;
        Scheduler scheduler = null;
        KeepAlive keeper = null;
        Library library = null;
        Pushes pushes = null;
        LogBuffer logs = null;
        Conversations conversations = null;
        StoredResponses responses = null;
        Inference inference = null;
        try {
            conversations = Conversations.open(config.dataDir(), Clock.systemUTC());
            responses = StoredResponses.open(config.dataDir());
            ModelService models = new ModelService(store, Clock.systemUTC(), dataDir);
            models.start(catalog);
            library = new Library(config.library().stream().map(LibraryRoot::parse).toList(), models,
                    LIBRARY_RESCAN, dataDir.libraryHeaders());
            downloads = new Downloads(models, dataDir, config.maxDownloads(), config.connections(),
                    config.stallTimeout(), config.hfEndpoint(), huggingFaceToken(config),
                    new Bandwidth(config.maxBandwidth()), registryClient(config));
            Downloads running = downloads;
            // Unpacking llama.cpp and JNA's stub from the jar (or checking them) waits for the first runner,
            // which the spare starts in the background: it is not on the way to the first answer.
            Supplier<List<String>> runnerCommand = RunnerLauncher.lazyCommand(config.llamaLib(), dataDir.lib(),
                    io.modeld.engine.Gpu.of(config.gpu().mode()), config.gpu().devices());
            scheduler = new Scheduler(models, config.memoryBudget(), Clock.systemUTC(), running::downloading,
                    RunnerFactory.processes(runnerCommand, config::stepTimeout), config.spareRunner(), config.keepAlive());
            scheduler.setGpu(config.gpu());
            scheduler.setParallel(config.parallel());
            scheduler.setContext(config.context());
            scheduler.setKvCache(new KvCache(KvCache.Type.of(config.kvCacheType()),
                    KvCache.FlashAttention.of(config.flashAttention())));   // the pair refused here when it cannot work
            scheduler.setPromptCache(dataDir.promptCache(), config.cacheRam(), config.cacheDisk());
            scheduler.setDraft(config.draft());
            scheduler.setDraftModel(config.draftModel());
            Scheduler inMemory = scheduler;
            downloads.beforeRemoval(inMemory::unload);
            io.modeld.remote.RemoteClient remote = new io.modeld.remote.RemoteClient(
                    new io.modeld.remote.RemoteHosts(config.remotes(), config.dataDir()));
            io.modeld.remote.RemoteModels remotes = new io.modeld.remote.RemoteModels(models, remote, Clock.systemUTC());
            inference = new Inference(models, scheduler, store, remote);
            Inference checked = inference;
            ModelActivity activity = new ModelActivity() {
                @Override
                public boolean downloading(String id) {
                    return running.downloading(id);
                }

                @Override
                public boolean loaded(String id) {
                    return inMemory.loaded(id);
                }

                @Override
                public boolean onGpu(String id) {
                    return inMemory.onGpu(id);
                }

                @Override
                public String problem(ModelRecord r) {
                    return checked.problem(r);
                }

                @Override
                public boolean sees(ModelRecord r) {
                    return checked.projector(r) != null && checked.projector(r).vision();
                }
            };
            keeper = KeepAlive.sweep(inMemory);
            pushes = new Pushes(models, downloads.registry());
            logs = LogBuffer.attach();
            io.modeld.metrics.Metrics metrics = config.metrics()
                    ? new io.modeld.metrics.Metrics(models, scheduler, () -> running.running().size()) : null;
            if (metrics != null) {
                inference.meter(metrics);
                scheduler.events(metrics);
            }
            ApiServer api = new ApiServer(config, models, downloads, pushes, inference, scheduler,
                    activity, logs, store.migration(), BuildInfo.version(), conversations,
                    copilotModel(models, SettingsFile.load(config.dataDir())), responses, metrics, remotes);
            api.start(config.host(), config.port(), config.ollamaPort());
            // After the first answer, not before it: the spare runner's JVM and the library's first scan.
            scheduler.startSpare();
            library.start();
            inference.checkTemplates();
            if (config.resumeDownloads()) {
                downloads.resumeInterrupted();
            }
            return new Daemon(config, lock, store, downloads, pushes, scheduler, keeper, api, library, logs,
                    conversations, responses, inference);
        } catch (RuntimeException e) {
            if (inference != null) {
                inference.close();
            }
            if (logs != null) {
                logs.detach();
            }
            if (pushes != null) {
                pushes.close();
            }
            if (library != null) {
                library.close();
            }
            if (keeper != null) {
                keeper.close();
            }
            if (scheduler != null) {
                scheduler.close();
            }
            if (downloads != null) {
                downloads.close();
            }
            if (conversations != null) {
                conversations.close();
            }
            if (responses != null) {
                responses.close();
            }
            store.close();
            throw e;
        }
    }

    /** What the Pieces SDKs' fixed model name stands for: the saved copilotModel setting (one that is gone is logged). */
    private static CopilotModel copilotModel(ModelService models, SettingsFile settings) {
        CopilotModel c = new CopilotModel(models);
        com.fasterxml.jackson.databind.JsonNode kept = settings.get(io.modeld.config.Setting.COPILOT_MODEL);
        String saved = kept == null ? null : kept.asText();
        try {
            c.choose(saved);
        } catch (ModeldException e) {
            LOG.warn("copilotModel: {} in {} is not used ({}); set it again with modeld config set", saved,
                    SettingsFile.NAME, e.getMessage());
        }
        return c;
    }

    /** The registry client with the logins of Docker's config and MODELD_REGISTRY_AUTH; a broken config is logged. */
    private static RegistryClient registryClient(Config config) {
        Credentials credentials;
        try {
            credentials = Credentials.load(config.registries().dockerConfig(), config.registries().auth());
        } catch (IllegalArgumentException e) {
            LOG.warn("registry logins not used: {}", e.getMessage());
            credentials = Credentials.none();
        }
        return new RegistryClient(credentials, java.util.Set.copyOf(config.registries().insecure()));
    }

    /** The Authorization header for a source URL: the HF token, for the Hugging Face host only. */
    private static Function<URI, String> huggingFaceToken(Config config) {
        String host = URI.create(config.hfEndpoint()).getHost();
        return uri -> config.hfToken() != null && uri.getHost() != null && uri.getHost().equalsIgnoreCase(host)
                ? "Bearer " + config.hfToken() : null;
    }

    /** The base URLs served, the main one first. */
    public List<URI> urls() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return api.ports().stream().map(p -> URI.create("http://" + host + ":" + p)).toList();
    }

    /** The URL Ollama's clients can use on its own port, or null when that port is not served. */
    public URI ollamaUrl() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return api.ollamaPort() == null ? null : URI.create("http://" + host + ":" + api.ollamaPort());
    }

    /** The main port (useful when started on port 0). */
    public int port() {
        return api.ports().get(0);
    }

    /**
     * Finishes requests in flight, stops serving, ends the runners, stops downloads (keeping them
     * resumable) and closes the store.
     */
    @Override
    public void close() {
        // each part is closed whatever the one before it did: a server that fails to stop must not leave the
        // runners running (a stuck one stayed behind, parent 1, at 95% CPU) nor the store open
        AutoCloseable[] parts = {api, inference, library, pushes, logs::detach, keeper, scheduler, downloads, conversations,
                responses, store, lock};
        RuntimeException first = null;
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", part.getClass().getSimpleName(), e.toString());
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

}
