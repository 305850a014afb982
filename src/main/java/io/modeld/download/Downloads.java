package io.modeld.download;

import io.modeld.ModeldException;
import io.modeld.catalog.FileIdentity;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSource;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.Modelfile;
import io.modeld.config.DataDir;
import io.modeld.registry.RegistryClient;
import io.modeld.registry.RegistryRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model downloads of this process: at most one job per model, shared by everyone who asks; at most
 * {@code maxDownloads} running, the others waiting as INITIALIZED. Listeners get every status change at
 * once and the progress of running jobs every 100 ms.
 */
public final class Downloads implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Downloads.class);
    private static final long TICK_MS = 100;

    private final ModelService models;
    private final DataDir dataDir;
    private final DownloadSettings settings;
    private final Map<String, DownloadJob> jobs = new ConcurrentHashMap<>();
    private final Map<String, DownloadProgress> ended = new ConcurrentHashMap<>();
    private final Bandwidth bandwidth;
    private final DownloadHistory history = new DownloadHistory();
    private final ProgressFeed feed = new ProgressFeed(history);
    private volatile Consumer<String> beforeRemoval = id -> { };
    private final ExecutorService jobThreads;
    private final ExecutorService workerThreads;
    private final ScheduledExecutorService ticker;

    /**
     * @param authorization the Authorization header to send for a source URL (never sent to another host
     *                      after a redirect), or null for none
     */
    public Downloads(ModelService models, DataDir dataDir, int maxDownloads, int connections, Duration stallTimeout,
                     String hfEndpoint, Function<URI, String> authorization, Bandwidth bandwidth,
                     RegistryClient registry) {
        this.models = models;
        this.dataDir = dataDir;
        this.bandwidth = bandwidth;
        this.jobThreads = Executors.newFixedThreadPool(maxDownloads, DownloadSettings.threads("modeld-download"));
        this.workerThreads = Executors.newCachedThreadPool(DownloadSettings.threads("modeld-connection"));
        this.ticker = Executors.newSingleThreadScheduledExecutor(DownloadSettings.threads("modeld-progress"));
        this.settings = new DownloadSettings(connections, stallTimeout, workerThreads, DownloadSettings.Sleeper.REAL, RandomGenerator.getDefault(), authorization,
                hfEndpoint, bandwidth, registry);
        ticker.scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code action} with a model's id before its files are removed: the scheduler unloads it. */
    public void beforeRemoval(Consumer<String> action) {
        beforeRemoval = action;
    }

    /** Calls {@code listener} with (model id, progress) on every change. Listeners must not block. */
    public void subscribe(BiConsumer<String, DownloadProgress> listener) {
        feed.subscribe(listener);
    }

    /** Hands {@code joining} the model's progress now ({@link ProgressFeed#watch}). */
    public void watch(String id, Consumer<DownloadProgress> joining) {
        feed.watch(id, () -> progress(id), joining);
    }

    /** Follows the model's progress from now until the returned subscription is closed ({@link ProgressFeed#follow}). */
    public AutoCloseable follow(String id, Consumer<DownloadProgress> follower) {
        return feed.follow(id, () -> progress(id), follower);
    }

    /** The shared bandwidth cap of every download. */
    public Bandwidth bandwidth() {
        return bandwidth;
    }

    /** Whether a download of the model is waiting or running in this process. */
    public boolean downloading(String id) {
        DownloadJob job = jobs.get(id);
        return job != null && !job.status().terminal();
    }

    /**
     * Starts the model's download, or joins the one running; a downloaded model is returned as it is.
     * CONFLICT when the model has no source, INSUFFICIENT_STORAGE when its known size cannot fit.
     */
    public synchronized ModelRecord start(String model) {
        return start(model, false);
    }

    /**
     * Downloads the model's source again when it changed since (see {@link Updates}): only the files whose
     * digest changed are fetched, the others are kept; the model stays usable until the new files are in
     * place. A model that is not downloaded is simply downloaded.
     */
    public synchronized ModelRecord update(String model) {
        ModelRecord r = models.get(model);
        if (r.inPlace() != null) {
            throw ModeldException.conflict("model '" + r.spec().name() + "' is used in place; update it with the tool "
                    + "that owns it");
        }
        if (r.downloaded() && r.spec().source() != null && Boolean.FALSE.equals(new Updates(settings).check(r).outdated())) {
            return r;   // the source has the very version downloaded: nothing to fetch
        }
        return start(model, true);
    }

    private ModelRecord start(String model, boolean update) {
        ModelRecord r = models.get(model);
        if ((r.downloaded() && !update) || downloading(r.id())) {
            return r;
        }
        ModelSpec spec = r.spec();
        if (r.remote() != null) {
            throw ModeldException.conflict("model '" + spec.name() + "' is a remote model: it lives on "
                    + r.remote().host() + " and answers from there; there is nothing to download");
        }
        if (spec.source() != null && spec.source().linked()) {
            return models.relink(r.id());   // used in place: nothing to copy, only its file to read again
        }
        if (spec.source() == null) {
            throw new ModeldException(ModeldException.Kind.CONFLICT, "model '" + spec.name() + "' has no source.url "
                    + "to download from", ModeldException.Hint.SET_SOURCE, r.id());
        }
        Path partialDir = dataDir.partial(r.id());
        PartialFile.checkRoom(spec, partialDir);
        DownloadJob.Resolver resolver = resolver(spec.source());
        String id = r.id();
        DownloadJob[] holder = new DownloadJob[1];
        DownloadJob job = new DownloadJob(id, spec, resolver, partialDir, dataDir.model(id), settings,
                new DownloadJob.Outcome() {
                    @Override
                    public void completed(String modelId, ModelRecord.LocalFile file, Modelfile modelfile) {
                        models.markDownloaded(modelId, file, modelfile);
                    }

                    @Override
                    public void failed(String modelId, String reason) {
                        models.markFailed(modelId, reason);
                    }
                }, () -> publish(id, holder[0]));
        holder[0] = job;
        jobs.put(id, job);
        ended.remove(id);
        publish(id, job);
        models.announce(id);
        jobThreads.execute(() -> {
            try {
                job.run();
            } finally {
                ended.put(id, job.progress());
                jobs.remove(id, job);
                models.announce(id);
            }
        });
        return models.get(id);
    }

    /** What a download of this source fetches: a registry's manifest is read when the job starts. */
    private DownloadJob.Resolver resolver(ModelSource source) {
        if (RegistryRef.isRegistry(source.url())) {
            RegistryRef ref = RegistryRef.parse(source.url());
            return () -> RegistryPull.resolve(settings.registry(), ref);
        }
        ResolvedSource resolved = ResolvedSource.of(source, settings.hfEndpoint());
        Authorizer auth = resolved.uri() == null ? Authorizer.NONE
                : Authorizer.fixed(settings.authorization().apply(resolved.uri()));
        FileIdentity pinned = source.identity();
        Path local = pinned != null ? Path.of(pinned.path()) : resolved.localFile();
        Part only = new Part(resolved.uri(), local, resolved.fileName(), -1, source.sha256(), auth,
                source.url(), pinned);
        Part projector = null;
        if (source.projector() != null) {
            ResolvedSource p = ResolvedSource.of(new ModelSource(source.projector().url(), source.projector().sha256()),
                    settings.hfEndpoint());
            projector = new Part(p.uri(), p.localFile(), Resolution.PROJECTOR, -1, source.projector().sha256(),
                    p.uri() == null ? Authorizer.NONE : Authorizer.fixed(settings.authorization().apply(p.uri())),
                    source.projector().url(), null);
        }
        Part withIt = projector;
        return () -> new Resolution(List.of(only), withIt, null, null);
    }

    /** The downloads running now and their progress. */
    public Map<String, DownloadProgress> running() {
        Map<String, DownloadProgress> out = new java.util.LinkedHashMap<>();
        jobs.forEach((id, job) -> out.put(id, job.progress()));
        return out;
    }

    /** The model's last download as points, oldest first. */
    public List<DownloadHistory.Point> history(String id) {
        return history.of(id);
    }

    /** Downloads that may run at once (more wait their turn). */
    public int maxDownloads() {
        return ((java.util.concurrent.ThreadPoolExecutor) jobThreads).getMaximumPoolSize();
    }

    /** Changes how many downloads run at once; running ones go on, waiting ones start as room appears. */
    public void setMaxDownloads(int n) {
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("max downloads must be between 1 and 64");
        }
        java.util.concurrent.ThreadPoolExecutor pool = (java.util.concurrent.ThreadPoolExecutor) jobThreads;
        synchronized (pool) {
            if (n > pool.getMaximumPoolSize()) {
                pool.setMaximumPoolSize(n);
                pool.setCorePoolSize(n);
            } else {
                pool.setCorePoolSize(n);
                pool.setMaximumPoolSize(n);
            }
        }
    }

    /** Every downloaded model with a remote source, checked against it now (see {@link Updates}). */
    public List<Updates.Check> outdated() {
        return new Updates(settings).check(models.list());
    }

    /** The registry client every pull and push uses. */
    public RegistryClient registry() {
        return settings.registry();
    }

    /** Cancels the model's download, if one runs, and returns the model once it has stopped. */
    public ModelRecord cancel(String model) {
        ModelRecord r = models.get(model);
        stopJob(r.id());
        return models.get(r.id());
    }

    /** Cancels a running download, unloads the model and removes its files; the entry stays. */
    public ModelRecord deleteCache(String model) {
        ModelRecord r = models.get(model);
        models.refuseInPlace(r, false);
        stopJob(r.id());
        beforeRemoval.accept(r.id());
        return models.deleteCache(r.id());
    }

    /** Cancels a running download, unloads the model, then deletes it and its files. */
    public void delete(String model) {
        ModelRecord r = models.get(model);
        models.refuseInPlace(r, true);
        if (!models.inCatalog(r.id())) {
            stopJob(r.id());
            beforeRemoval.accept(r.id());
        }
        models.delete(r.id());
    }

    /**
     * Cancels the model's job and waits until it has really ended: its files may only be removed once
     * no connection writes into them any more.
     */
    private void stopJob(String id) {
        DownloadJob job = jobs.get(id);
        if (job == null) {
            return;
        }
        job.cancel();
        try {
            while (!job.awaitEnd(5, TimeUnit.SECONDS)) {
                LOG.warn("download of {} has not stopped 5 s after its cancel; still waiting", id);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the download of " + id + " to stop", e);
        }
    }

    /** The model's download state now: its running job, else how the last one ended, else what is on disk. */
    public DownloadProgress progress(String id) {
        DownloadJob job = jobs.get(id);
        if (job != null) {
            return job.progress();
        }
        DownloadProgress last = ended.get(id);
        if (last != null) {
            return last;
        }
        ModelRecord r = models.get(id);
        long size = r.spec().bytes() == null ? 0 : r.spec().bytes();
        if (r.downloaded()) {
            return new DownloadProgress(DownloadStatus.COMPLETED, 100, r.file().size(), r.file().size(), 0, null);
        }
        if (r.failure() != null) {
            return new DownloadProgress(DownloadStatus.FAILED, 0, 0, size, 0, r.failure());
        }
        return new DownloadProgress(DownloadStatus.UNKNOWN, 0, 0, size, 0, null);
    }

    /** Resumes the downloads a previous run left in {@code partial/} ({@link InterruptedDownloads}). */
    public void resumeInterrupted() {
        InterruptedDownloads.resume(dataDir.partial(), models, this::start);
    }

    private void tick() {
        try {
            for (Map.Entry<String, DownloadJob> e : jobs.entrySet()) {
                if (e.getValue().status() == DownloadStatus.IN_PROGRESS) {
                    publish(e.getKey(), e.getValue());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("progress tick failed", e);
        }
    }

    private void publish(String id, DownloadJob job) {
        if (job != null) {
            feed.publish(id, job::progress);
        }
    }

    /** Stops every download for shutdown, keeping partial data so that the next start resumes. */
    @Override
    public void close() {
        ticker.shutdownNow();
        jobs.values().forEach(DownloadJob::stop);
        jobThreads.shutdown();
        try {
            if (!jobThreads.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("downloads did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workerThreads.shutdownNow();
    }
}
