package io.modeld.download;

import io.modeld.ModeldException;
import io.modeld.catalog.ModelRecord;
import io.modeld.catalog.ModelService;
import io.modeld.registry.RegistryClient;
import io.modeld.registry.RegistryException;
import io.modeld.registry.RegistryPush;
import io.modeld.registry.RegistryRef;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Pushes of models to registries, one at a time per model, each on its own thread, with progress frames
 * shaped as a download's (the bytes are the bytes sent) for the push WebSocket, the CLI's bar and
 * Ollama's {@code /api/push} lines. The last frame of a push stays until the next push of that model.
 */
public final class Pushes implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Pushes.class);
    private static final long FRAME_EVERY_MS = 100;

    private final ModelService models;
    private final RegistryClient registry;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "modeld-push");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    /** Who follows each model's pushes (sockets outlive a push: the next one streams on them too). */
    private final Map<String, List<Consumer<DownloadProgress>>> followers = new ConcurrentHashMap<>();

    public Pushes(ModelService models, RegistryClient registry) {
        this.models = models;
        this.registry = registry;
    }

    private static final class Job {
        final List<Consumer<DownloadProgress>> followers;
        volatile DownloadProgress last = DownloadProgress.of(DownloadStatus.INITIALIZED, 0, -1, 0, null);
        volatile String blob;
        volatile String manifest;
        volatile boolean canceled;
        long lastFrameAt;

        Job(List<Consumer<DownloadProgress>> followers) {
            this.followers = followers;
        }

        synchronized void frame(DownloadProgress p, boolean force) {
            long now = System.currentTimeMillis();
            if (!force && now - lastFrameAt < FRAME_EVERY_MS) {
                return;
            }
            lastFrameAt = now;
            last = p;
            followers.forEach(f -> f.accept(p));
        }
    }

    /**
     * Starts pushing a downloaded model to {@code target} ({@code oci://} or {@code ollama://}). INVALID for
     * a target that is not a registry reference, CONFLICT when the model is not downloaded or already
     * being pushed.
     */
    public ModelRecord start(String model, String target) {
        ModelRecord r = models.get(model);
        if (target == null || !RegistryRef.isRegistry(target) || target.startsWith("hf://")) {
            throw ModeldException.invalid("target: an oci://HOST/REPO:TAG or ollama://[HOST/]NAMESPACE/MODEL:TAG reference");
        }
        RegistryRef ref;
        try {
            ref = RegistryRef.parse(target);
        } catch (IllegalArgumentException e) {
            throw ModeldException.invalid(e.getMessage().replace("source.url", "target"));
        }
        if (ref.digest() != null) {
            throw ModeldException.invalid("target: push to a tag, not a digest");
        }
        if (!r.downloaded()) {
            throw ModeldException.conflict("model '" + r.spec().name() + "' is not downloaded; there is nothing to push");
        }
        Job job = new Job(followersOf(r.id()));
        Job running = jobs.compute(r.id(), (id, old) -> old != null && !old.last.terminal() ? old : job);
        if (running != job) {
            throw ModeldException.conflict("model '" + r.spec().name() + "' is already being pushed");
        }
        threads.execute(() -> run(r, ref, job));
        return r;
    }

    private void run(ModelRecord r, RegistryRef target, Job job) {
        try {
            ModelImage image = ModelImage.of(r, models.filesOf(r));
            String mountFrom = mountSource(r, target);
            job.manifest = RegistryPush.push(registry, target, image.manifestType(), image.config(), image.layers(),
                    mountFrom, new RegistryPush.Progress() {
                        @Override
                        public void sent(long bytes, long total) {
                            job.frame(DownloadProgress.of(DownloadStatus.IN_PROGRESS, bytes, total, 0, null), false);
                        }

                        @Override
                        public void blob(String digest) {
                            job.blob = digest;
                        }
                    }, () -> job.canceled);
            long total = image.config().size() + image.layers().stream().mapToLong(RegistryPush.Blob::size).sum();
            LOG.info("pushed {} to {} ({})", r.id(), target, job.manifest);
            job.frame(DownloadProgress.of(DownloadStatus.COMPLETED, total, total, 0, null), true);
        } catch (RegistryException | IOException e) {
            LOG.warn("push of {} to {} failed: {}", r.id(), target, e.getMessage());
            DownloadProgress p = job.last;
            job.frame(DownloadProgress.of(job.canceled ? DownloadStatus.CANCELED : DownloadStatus.FAILED, p.downloaded(),
                    p.total(), 0, e.getMessage()), true);
        } catch (RuntimeException e) {
            LOG.error("bug: push of {} failed", r.id(), e);
            job.frame(DownloadProgress.of(DownloadStatus.FAILED, 0, -1, 0, "internal error (" + e.getClass().getSimpleName()
                    + "); it is logged"), true);
        }
    }

    /** A repository of the same registry the model came from: its blobs may be mounted from there. */
    private static String mountSource(ModelRecord r, RegistryRef target) {
        if (r.spec().source() == null || !RegistryRef.isRegistry(r.spec().source().url())) {
            return null;
        }
        RegistryRef from = RegistryRef.parse(r.spec().source().url());
        return from.host().equals(target.host()) ? from.repository() : null;
    }

    /**
     * Calls {@code follower} with the model's push frames from now on, beginning with the last one (UNKNOWN
     * when the model was never pushed), this push's and the next ones'; the returned handle stops it.
     */
    public AutoCloseable follow(String id, Consumer<DownloadProgress> follower) {
        List<Consumer<DownloadProgress>> list = followersOf(id);
        list.add(follower);
        Job job = jobs.get(id);
        follower.accept(job != null ? job.last : DownloadProgress.of(DownloadStatus.UNKNOWN, 0, -1, 0, null));
        return () -> list.remove(follower);
    }

    private List<Consumer<DownloadProgress>> followersOf(String id) {
        return followers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
    }

    /** The blob ({@code sha256:...}) the push of the model sends now; null before the first and for the manifest. */
    public String blob(String id) {
        Job job = jobs.get(id);
        return job == null ? null : job.blob;
    }

    /** Stops the model's push, if one runs. */
    public void cancel(String id) {
        Job job = jobs.get(id);
        if (job != null) {
            job.canceled = true;
        }
    }

    @Override
    public void close() {
        jobs.values().forEach(j -> j.canceled = true);
        threads.shutdownNow();
    }
}
