package io.modeld.api.pieces;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.modeld.Json;
import io.modeld.api.Outbox;
import io.modeld.api.schema.ModelDownloadProgress;
import io.modeld.api.schema.Schema;
import io.modeld.catalog.ModelService;
import io.modeld.download.DownloadProgress;
import io.modeld.download.DownloadStatus;
import io.modeld.download.Downloads;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebSocket {@code /model/{model}/download/progress}: the current state on connect, then every
 * change. Each subscriber has its own small queue and at most one send in flight; a newer progress
 * frame replaces an unsent one, but terminal frames are never replaced. So a subscriber that reads
 * slowly (or never) costs one pending frame, never slows the download, and still gets every terminal
 * frame. The socket stays open after a terminal frame for the next download of the model.
 *
 * <p>One download fans out at most {@value #FRAMES_PER_SECOND} progress frames a second in all: with up
 * to 200 subscribers each gets every 100 ms tick, with 1,000 each gets one every 500 ms. Only
 * IN-PROGRESS frames wait (ticks follow them while the download runs); every other status, the
 * terminal ones included, goes out at once. Measured (docs/BENCHMARKS.md): frames for
 * every subscriber on every tick cost an unthrottled loopback download 40% of its speed at 1,000.
 */
final class ProgressStream {

    private final ModelService models;
    private final Downloads downloads;
    private final Schema schema;
    private static final int FRAMES_PER_SECOND = 2_000;

    private final Map<String, Set<Outbox<Frame>>> byModel = new ConcurrentHashMap<>();
    /** Per model, when the last frame was fanned out ({@link System#nanoTime()}); written under the job's lock. */
    private final Map<String, Long> lastSent = new ConcurrentHashMap<>();

    ProgressStream(ModelService models, Downloads downloads, Schema schema) {
        this.models = models;
        this.downloads = downloads;
        this.schema = schema;
        downloads.subscribe(this::publish);
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            String id = models.get(ctx.pathParam("model")).id();
            Outbox<Frame> s = new Outbox<>(ctx.session, new Frames());
            ctx.attribute("subscriber", s);
            // Joining and the first frame happen under the lock changes are published under, so no
            // change published meanwhile can reach this subscriber before (or instead of) a newer one.
            downloads.watch(id, now -> {
                byModel.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(s);
                s.offer(frame(now));
            });
        });
        ws.onClose(this::forget);
        ws.onError(this::forget);
    }

    private void forget(WsContext ctx) {
        Outbox<Frame> s = ctx.attribute("subscriber");
        if (s != null) {
            byModel.values().forEach(set -> set.remove(s));
        }
    }

    private void publish(String id, DownloadProgress p) {
        Set<Outbox<Frame>> subscribers = byModel.get(id);
        if (subscribers == null || subscribers.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        Long last = lastSent.get(id);
        long interval = subscribers.size() * 1_000_000_000L / FRAMES_PER_SECOND;
        if (p.status() == DownloadStatus.IN_PROGRESS && last != null && now - last < interval) {
            return;   // the download is running, so a later tick brings fresher figures
        }
        lastSent.put(id, now);
        Frame f = frame(p);
        subscribers.forEach(s -> s.offer(f));
    }

    private Frame frame(DownloadProgress p) {
        try {
            return new Frame(Json.MAPPER.writeValueAsString(new ModelDownloadProgress(schema, p.status().wire(), p.percentage(),
                    new ModelDownloadProgress.Bytes(p.downloaded(), p.total()), p.bytesPerSecond(), p.error())),
                    p.terminal());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Frame(String json, boolean terminal) {
    }

    /** Frames waiting for one subscriber: a newer progress frame replaces an unsent one; terminal frames stay. */
    private static final class Frames implements Outbox.Pending<Frame> {
        private final ArrayDeque<Frame> pending = new ArrayDeque<>();

        @Override
        public void add(Frame f) {
            Frame last = pending.peekLast();
            if (last != null && !last.terminal() && !f.terminal()) {
                pending.removeLast();
            }
            pending.addLast(f);
        }

        @Override
        public boolean isEmpty() {
            return pending.isEmpty();
        }

        @Override
        public String take() {
            return pending.pollFirst().json();
        }

        @Override
        public void clear() {
            pending.clear();
        }
    }
}
