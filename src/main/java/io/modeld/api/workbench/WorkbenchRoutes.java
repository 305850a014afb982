package io.modeld.api.workbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.api.Bodies;
import io.modeld.api.Fields;
import io.modeld.api.ModelViews;
import io.modeld.api.Outbox;
import io.modeld.api.Sockets;
import io.modeld.catalog.ModelService;
import io.modeld.config.LogBuffer;
import io.modeld.config.Setting;
import io.modeld.config.SettingsFile;
import io.modeld.config.Sizes;
import io.modeld.copilot.CopilotModel;
import io.modeld.download.DownloadProgress;
import io.modeld.download.Downloads;
import io.modeld.download.Pulls;
import io.modeld.runtime.GenerationLog;
import io.modeld.runtime.LoadedModel;
import io.modeld.runtime.Scheduler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Extensions the dashboard is built on: run-time settings ({@code GET}/{@code PUT /settings}, persisted,
 * which {@code modeld config} uses too), the log ({@code GET /logs}, WebSocket {@code /logs/stream}), a
 * once-a-second picture of what the daemon does (WebSocket {@code /stream/activity}: memory per loaded
 * model, download speeds, tokens per second of the generations that ended), a model's details, and a
 * pull by any name or source ({@code POST /models/pull}).
 */
public final class WorkbenchRoutes implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkbenchRoutes.class);
    private static final int LOG_LINES = 200;
    /** Log lines that may wait for a slow reader of the live log; older ones are dropped. */
    private static final int LOG_LINES_WAITING = 1000;
    /** Activity frames that may wait for a slow watcher (each holds the generations of its second). */
    private static final int ACTIVITY_FRAMES_WAITING = 30;

    private final ModelService models;
    private final Downloads downloads;
    private final Scheduler scheduler;
    private final Pulls pulls;
    private final ModelViews views;
    private final LogBuffer logs;
    private final Path dataDir;
    private final CopilotModel copilotModel;
    private final Object settingsLock = new Object();
    private final Map<WsContext, Outbox<Object>> watchers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "modeld-activity");
        t.setDaemon(true);
        return t;
    });
    /** When the newest generation sent by a tick ended; only the ticker thread writes it. */
    private volatile long lastGenerationAt;

    public WorkbenchRoutes(ModelService models, Downloads downloads, Pulls pulls, Scheduler scheduler, ModelViews views,
                           LogBuffer logs, Path dataDir, CopilotModel copilotModel) {
        this.models = models;
        this.pulls = pulls;
        this.downloads = downloads;
        this.scheduler = scheduler;
        this.views = views;
        this.logs = logs;
        this.dataDir = dataDir;
        this.copilotModel = copilotModel;
        ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    public void register(RoutesConfig routes) {
        routes.get("/settings", ctx -> ctx.json(settings()));
        routes.put("/settings", ctx -> ctx.json(change(Bodies.json(ctx))));
        routes.get("/logs", ctx -> {
            String lines = ctx.queryParam("lines");
            int n = LOG_LINES;
            if (lines != null) {
                if (!lines.matches("\\d{1,4}") || Integer.parseInt(lines) < 1) {
                    throw ModeldException.invalid("lines: a number from 1 to 1000");
                }
                n = Math.min(1000, Integer.parseInt(lines));
            }
            ctx.json(Json.MAPPER.createObjectNode().set("lines", Json.MAPPER.valueToTree(logs.last(n))));
        });
        routes.ws("/logs/stream", ws -> {
            ws.onConnect(ctx -> {
                Outbox<Object> out = Outbox.queue(ctx, LOG_LINES_WAITING);
                out.offer(Json.MAPPER.createObjectNode().set("lines", Json.MAPPER.valueToTree(logs.last(LOG_LINES))));
                ctx.attribute("following", logs.follow(line -> out.offer(Json.MAPPER.createObjectNode()
                        .set("lines", Json.MAPPER.createArrayNode().add(line)))));
            });
            ws.onClose(ctx -> Sockets.stop(ctx.attribute("following")));
            ws.onError(ctx -> Sockets.stop(ctx.attribute("following")));
        });
        routes.ws("/stream/activity", ws -> {
            ws.onConnect(ctx -> {
                Outbox<Object> out = Outbox.queue(ctx, ACTIVITY_FRAMES_WAITING);
                watchers.put(ctx, out);
                out.offer(activity(0));
            });
            ws.onClose(watchers::remove);
            ws.onError(watchers::remove);
        });
        for (String path : List.of("/logs/stream", "/stream/activity")) {
            Sockets.upgradeOnly(routes, path, ctx -> { });
        }
        routes.get("/model/{model}/details", ctx -> ctx.json(ModelDetails.of(models.get(ctx.pathParam("model")), models,
                downloads)));
        routes.post("/models/pull", ctx -> Bodies.json(ctx, views.json(pulls.pull(Fields.requiredText(Bodies.json(ctx),
                "name", "a model's name, unique name or id, an Ollama name, or a source URL (hf://, oci://, ollama://, "
                + "https://)")).model())));
    }

    // ---- settings

    private ObjectNode settings() {
        return Json.MAPPER.createObjectNode().put(Setting.MEMORY_BUDGET.key(), scheduler.budget())
                .put(Setting.KEEP_ALIVE.key(), SettingsFile.spell(scheduler.keepAlive()))
                .put(Setting.MAX_BANDWIDTH.key(), downloads.bandwidth().bytesPerSecond())
                .put(Setting.MAX_DOWNLOADS.key(), downloads.maxDownloads())
                .put(Setting.PARALLEL.key(), scheduler.parallel())
                .put(Setting.CONTEXT.key(), scheduler.context())
                .put(Setting.KV_CACHE_TYPE.key(), scheduler.kvCache().type().wire())
                .put(Setting.FLASH_ATTENTION.key(), scheduler.kvCache().flash().wire())
                .put(Setting.GPU.key(), scheduler.gpu().mode())
                .put(Setting.GPU_LAYERS.key(), scheduler.gpuLayers())
                .put(Setting.COPILOT_MODEL.key(), copilotModel.chosen() == null ? "" : copilotModel.chosen());
    }

    /** Checks every field first by its {@link Setting} (a bad one changes nothing), then applies them all and keeps them. */
    private ObjectNode change(JsonNode body) throws IOException {
        if (!body.isObject()) {
            throw ModeldException.invalid("body: a JSON object of settings (" + keys() + ")");
        }
        Map<Setting, JsonNode> changes = new java.util.EnumMap<>(Setting.class);
        for (var it = body.fields(); it.hasNext(); ) {
            var f = it.next();
            Setting s = Setting.byKey(f.getKey());
            if (s == null) {
                throw ModeldException.invalid(f.getKey() + ": not a setting (" + keys() + ")");
            }
            try {
                JsonNode v = s.read(f.getValue());
                changes.put(s, s == Setting.COPILOT_MODEL && !v.asText().isEmpty()
                        ? Json.MAPPER.getNodeFactory().textNode(copilotModel.check(v.asText())) : v);
            } catch (IllegalArgumentException e) {
                throw ModeldException.invalid(e.getMessage());
            }
        }
        io.modeld.engine.KvCache kv;
        try {   // the two together: a quantized cache with flash attention off is refused before anything changes
            kv = new io.modeld.engine.KvCache(changes.containsKey(Setting.KV_CACHE_TYPE)
                    ? io.modeld.engine.KvCache.Type.of(changes.get(Setting.KV_CACHE_TYPE).asText()) : scheduler.kvCache().type(),
                    changes.containsKey(Setting.FLASH_ATTENTION) ? io.modeld.engine.KvCache.FlashAttention.of(
                            changes.get(Setting.FLASH_ATTENTION).asText()) : scheduler.kvCache().flash());
        } catch (IllegalArgumentException e) {
            throw ModeldException.invalid(e.getMessage());
        }
        synchronized (settingsLock) {
            SettingsFile.load(dataDir).with(SettingsFile.of(changes)).save(dataDir);
            changes.forEach((s, v) -> {
                switch (s) {
                    case MEMORY_BUDGET -> scheduler.setBudget(v.asLong());
                    case KEEP_ALIVE -> scheduler.setKeepAlive(Sizes.parseDuration(v.asText()));
                    case MAX_BANDWIDTH -> downloads.bandwidth().set(v.asLong());
                    case MAX_DOWNLOADS -> downloads.setMaxDownloads(v.asInt());
                    case PARALLEL -> scheduler.setParallel(v.asInt());
                    case CONTEXT -> scheduler.setContext(v.asInt());
                    case KV_CACHE_TYPE, FLASH_ATTENTION -> scheduler.setKvCache(kv);
                    case GPU -> LOG.info("the GPU setting ({}) applies from modeld's next start", v.asText());
                    case GPU_LAYERS -> scheduler.setGpuLayers(v.asInt());
                    case COPILOT_MODEL -> copilotModel.choose(v.asText());
                }
            });
            LOG.info("settings changed: {}", body);
        }
        return settings();
    }

    private static String keys() {
        return String.join(", ", java.util.Arrays.stream(Setting.values()).map(Setting::key).toList());
    }

    // ---- activity

    /**
     * Sends every watcher the frame of this second, with the generations that ended since the last tick
     * (a watcher that connects gets the recent ones in its first frame instead).
     */
    private void tick() {
        try {
            long since = lastGenerationAt;
            if (watchers.isEmpty()) {
                List<GenerationLog.Entry> recent = scheduler.recentGenerations();
                lastGenerationAt = recent.isEmpty() ? since : recent.get(recent.size() - 1).endedAt();
                return;
            }
            ObjectNode frame = activity(since);
            for (JsonNode g : frame.get("generations")) {
                lastGenerationAt = Math.max(lastGenerationAt, g.get("endedAt").asLong());
            }
            watchers.values().forEach(out -> out.offer(frame));
        } catch (RuntimeException e) {
            LOG.warn("activity frame failed", e);
        }
    }

    private ObjectNode activity(long generationsSince) {
        ObjectNode f = Json.MAPPER.createObjectNode().put("at", System.currentTimeMillis());
        ObjectNode memory = f.putObject("memory").put("budget", scheduler.budget()).put("used", scheduler.used());
        ArrayNode loaded = memory.putArray("models");
        for (LoadedModel l : scheduler.loadedModels()) {
            loaded.addObject().put("id", l.id()).put("name", name(l.id())).put("resident", l.resident())
                    .put("estimate", l.estimate()).put("busy", l.busy()).put("slots", l.slots())
                    .put("busySlots", l.busySlots()).put("context", l.context()).put("kvCacheType", l.kvCacheType())
                    .put("device", l.device()).put("gpuLayers", l.gpuLayers()).put("layers", l.layers())
                    .put("deviceBytes", l.deviceBytes())
                    .set("promptCache", Json.MAPPER.valueToTree(l.promptCache()));
        }
        ArrayNode devices = memory.putArray("devices");   // each GPU's memory bar: what the models take of what modeld may
        for (io.modeld.engine.Device d : scheduler.knownDevices()) {
            long[] use = scheduler.deviceUse(d);
            devices.addObject().put("name", d.name()).put("description", d.description()).put("used", use[0])
                    .put("budget", use[1]);
        }
        ArrayNode running = f.putArray("downloads");
        for (Map.Entry<String, DownloadProgress> e : downloads.running().entrySet()) {
            running.addObject().put("id", e.getKey()).put("name", name(e.getKey()))
                    .put("bytesPerSecond", e.getValue().bytesPerSecond()).put("downloaded", e.getValue().downloaded())
                    .put("total", e.getValue().total());
        }
        ArrayNode gens = f.putArray("generations");
        for (GenerationLog.Entry g : scheduler.recentGenerations()) {
            if (g.endedAt() > generationsSince) {
                gens.addObject().put("model", g.model()).put("name", name(g.model())).put("endedAt", g.endedAt())
                        .put("tokens", g.tokens()).put("tokensPerSecond", Math.round(g.tokensPerSecond() * 10) / 10.0);
            }
        }
        return f;
    }

    private String name(String id) {
        try {
            return models.get(id).spec().name();
        } catch (ModeldException e) {
            return id;
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
