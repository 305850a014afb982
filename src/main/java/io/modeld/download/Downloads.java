package io.modeld.download;

import io.modeld.ModeldException;
import io.modeld.catalog.FileIdentity;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.catalog.ModelSpec;
import io.modeld.catalog.ModelSource;
import io.modeld.catalog.Modelfile;
import io.modeld.registry.RegistryClient;
import io.modeld.registry.RegistryRef;
import io.modeld.config.DataDir;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
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
    private final Map<String, DownloadProgress> published = new ConcurrentHashMap<>();
    /** Per model: held while its progress is read and handed to listeners, and while a watcher joins. */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, Set<Consumer<DownloadProgress>>> followers = new ConcurrentHashMap<>();
    private final Bandwidth bandwidth;
    private final List<BiConsumer<String, DownloadProgress>> listeners = new CopyOnWriteArrayList<>();
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
        this.jobThreads = Executors.newFixedThreadPool(maxDownloads, named("modeld-download"));
        this.workerThreads = Executors.newCachedThreadPool(named("modeld-connection"));
        this.ticker = Executors.newSingleThreadScheduledExecutor(named("modeld-progress"));
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
        listeners.add(listener);
    }

    /**
     * Hands {@code joining} the model's progress now, under the lock its changes are published under:
     * a watcher that registers inside {@code joining} gets every later change and never an older one.
     */
    public void watch(String id, Consumer<DownloadProgress> joining) {
        synchronized (lockFor(id)) {
            joining.accept(progress(id));
        }
    }

    /**
     * Calls {@code follower} with the model's progress now and with every change until the returned
     * subscription is closed; like {@link #watch}, the first frame and the later ones never cross.
     */
    public AutoCloseable follow(String id, Consumer<DownloadProgress> follower) {
        Set<Consumer<DownloadProgress>> set = followers.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
        watch(id, now -> {
            set.add(follower);
            follower.accept(now);
        });
        return () -> set.remove(follower);
    }

    /** The shared bandwidth cap of every download. */
    public Bandwidth bandwidth() {
        return bandwidth;
    }

    private Object lockFor(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
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
        if (spec.source() != null && spec.source().linked()) {
            return models.relink(r.id());   // used in place: nothing to copy, only its file to read again
        }
        if (spec.source() == null) {
            throw new ModeldException(ModeldException.Kind.CONFLICT, "model '" + spec.name() + "' has no source.url "
                    + "to download from", ModeldException.Hint.SET_SOURCE, r.id());
        }
        Path partialDir = dataDir.partial(r.id());
        checkSpace(spec, partialDir);
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
        return () -> new Resolution(List.of(only), null, null);
    }

    private final DownloadHistory history = new DownloadHistory();

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

    /**
     * Resumes the downloads a previous run left in {@code partial/}, and removes partial data that
     * belongs to no model or to a model that is already downloaded. Each one stands alone: one that
     * cannot resume (unreadable state, no space) fails with its reason on its model, and the rest go on.
     */
    public void resumeInterrupted() {
        List<Path> dirs;
        try (Stream<Path> listing = Files.list(dataDir.partial())) {
            dirs = listing.toList();
        } catch (IOException e) {
            LOG.warn("cannot look for interrupted downloads: {}", e.getMessage());
            return;
        }
        for (Path dir : dirs) {
            ModelRecord r = modelFor(dir.getFileName().toString());
            try {
                if (r == null || r.downloaded() || r.spec().source() == null) {
                    DataDir.deleteTree(dir);
                } else if (ResumeState.read(dir) == null) {
                    DataDir.deleteTree(dir);
                    String reason = "the interrupted download could not be resumed (its saved state in " + dir
                            + " was unreadable); download it again";
                    LOG.warn("model {}: {}", r.id(), reason);
                    models.markFailed(r.id(), reason);
                } else {
                    LOG.info("resuming the interrupted download of {}", r.spec().name());
                    start(r.id());
                }
            } catch (IOException | RuntimeException e) {
                String reason = "the interrupted download could not be resumed: " + e.getMessage();
                LOG.warn("{}: {}", dir, reason);
                if (r != null) {
                    try {
                        models.markFailed(r.id(), reason);
                    } catch (RuntimeException again) {
                        LOG.warn("cannot record why {} did not resume: {}", r.id(), again.getMessage());
                    }
                }
            }
        }
    }

    private ModelRecord modelFor(String dirName) {
        try {
            return models.get(UUID.fromString(dirName).toString());
        } catch (IllegalArgumentException | ModeldException e) {
            return null;
        }
    }

    private void checkSpace(ModelSpec spec, Path partialDir) {
        if (spec.bytes() == null) {
            return;
        }
        try {
            Path existing = partialDir;
            while (!Files.exists(existing)) {
                existing = existing.getParent();
            }
            long free = Files.getFileStore(existing).getUsableSpace();
            if (spec.bytes() > free + partialBytes(partialDir)) {
                throw new ModeldException(ModeldException.Kind.INSUFFICIENT_STORAGE, "not enough disk space for '"
                        + spec.name() + "': needs " + spec.bytes() + " bytes, " + free + " bytes free in "
                        + dataDir.partial());
            }
        } catch (IOException e) {
            LOG.warn("cannot check free space: {}", e.getMessage());
        }
    }

    private static long partialBytes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            long sum = 0;
            for (Path f : files.toList()) {
                sum += Files.size(f);
            }
            return sum;
        }
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

    /**
     * Tells the listeners the job's progress. The ticker and the job's own status changes both call
     * this; the model's lock makes reading the progress and handing it on one step, so a tick that read
     * IN-PROGRESS can never deliver it after the job's COMPLETED, nor a watcher joining in between get
     * an older frame than the last one published.
     */
    private void publish(String id, DownloadJob job) {
        if (job == null) {
            return;
        }
        synchronized (lockFor(id)) {
            DownloadProgress p = job.progress();
            if (Objects.equals(published.put(id, p), p)) {
                return;
            }
            history.record(id, p);
            for (BiConsumer<String, DownloadProgress> l : listeners) {
                try {
                    l.accept(id, p);
                } catch (RuntimeException e) {
                    LOG.warn("a progress listener failed", e);
                }
            }
            for (Consumer<DownloadProgress> f : followers.getOrDefault(id, Set.of())) {
                try {
                    f.accept(p);
                } catch (RuntimeException e) {
                    LOG.warn("a progress follower failed", e);
                }
            }
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

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
