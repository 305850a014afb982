package io.modeld.download;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each model's download progress goes out: to the listeners of every model (the identifier stream,
 * the dashboard), to the followers of one (its progress socket) and into its history. A model's lock makes
 * reading its progress and handing it on one step: a tick that read IN-PROGRESS can never deliver it after
 * the job's COMPLETED, nor a watcher joining in between get an older frame than the last one published.
 */
final class ProgressFeed {

    private static final Logger LOG = LoggerFactory.getLogger(Downloads.class);

    private final DownloadHistory history;
    /** Per model: held while its progress is read and handed on, and while a watcher joins. */
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, DownloadProgress> published = new ConcurrentHashMap<>();
    private final Map<String, Set<Consumer<DownloadProgress>>> followers = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, DownloadProgress>> listeners = new CopyOnWriteArrayList<>();

    ProgressFeed(DownloadHistory history) {
        this.history = history;
    }

    void subscribe(BiConsumer<String, DownloadProgress> listener) {
        listeners.add(listener);
    }

    /**
     * Hands {@code joining} the model's progress now ({@code now}), under the lock its changes are published
     * under: a watcher that registers inside {@code joining} gets every later change and never an older one.
     */
    void watch(String id, Supplier<DownloadProgress> now, Consumer<DownloadProgress> joining) {
        synchronized (lockFor(id)) {
            joining.accept(now.get());
        }
    }

    /**
     * Calls {@code follower} with the model's progress now and with every change until the returned
     * subscription is closed; like {@link #watch}, the first frame and the later ones never cross.
     */
    AutoCloseable follow(String id, Supplier<DownloadProgress> now, Consumer<DownloadProgress> follower) {
        Set<Consumer<DownloadProgress>> set = followers.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
        watch(id, now, p -> {
            set.add(follower);
            follower.accept(p);
        });
        return () -> set.remove(follower);
    }

    /** Reads the model's progress ({@code progress}) and hands it to everyone, unless it is the one handed last. */
    void publish(String id, Supplier<DownloadProgress> progress) {
        synchronized (lockFor(id)) {
            DownloadProgress p = progress.get();
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

    private Object lockFor(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }
}
