package io.modeld.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.modeld.catalog.ModelService;
import io.modeld.gguf.ModelRole;
import io.modeld.inference.GenerationMeter;
import io.modeld.runtime.LoadedModel;
import io.modeld.runtime.RunnerResult;
import io.modeld.runtime.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * modeld's meters, for {@code GET /metrics}. Per model (labelled by its unique name, else its name):
 * requests by outcome, prompt tokens evaluated and read from the cache, tokens generated, time to the first token and
 * time per output token (histograms), loads and their time, evictions, requests waiting, slots and busy slots. For the
 * whole daemon: memory used against the budget, models loaded, downloads running, and the two gauges Kubernetes'
 * inference gateways route by, under the names their model-server protocol recommends ({@code vllm:...}): requests
 * waiting, and KV-cache use (here the share of busy slots: a slot's cache is in use while it generates, and an idle
 * slot's cached prefix is kept only as long as no request needs the slot). Requests by door and status come from the
 * HTTP layer ({@link #request}). The JVM's memory, GC, threads, classes, CPU and uptime too.
 */
public final class Metrics implements GenerationMeter, Scheduler.Events, AutoCloseable {

    /**
     * The histograms' buckets, a dozen each as vLLM's are, rather than Micrometer's percentile histogram (about 70 a
     * timer): with 40 models that had answered, a scrape took 10.4 ms with those (bench/metrics.sh). The time of the
     * first token and of each token after it have buckets; a load's time has none (its count, sum and max), a model
     * loading a few times a day: that took another 400 of the 1,900 samples of such a scrape.
     */
    private static final Duration[] FIRST_TOKEN = millis(20, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000);
    private static final Duration[] PER_TOKEN = millis(5, 10, 20, 40, 60, 100, 150, 250, 500, 1000);

    private static Duration[] millis(long... ms) {
        return java.util.Arrays.stream(ms).mapToObj(Duration::ofMillis).toArray(Duration[]::new);
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ModelService models;
    private final Scheduler scheduler;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final RuntimeMeters runtime;
    private final MultiGauge waiting;
    private final MultiGauge slots;
    private final MultiGauge busySlots;
    private final MultiGauge gpuUsed;
    private final MultiGauge gpuBudget;
    /** The loaded models as this scrape reads them, once for every gauge of it. */
    private volatile List<LoadedModel> loaded = List.of();

    /** @param downloads how many downloads run now */
    public Metrics(ModelService models, Scheduler scheduler, IntSupplier downloads) {
        this.models = models;
        this.scheduler = scheduler;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        runtime = new RuntimeMeters(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("vllm:num_requests_waiting", this, m -> m.sum(LoadedModel::waiting))
                .description("Requests waiting for a slot, all models (the inference gateways' TotalQueuedRequests)")
                .register(registry);
        Gauge.builder("vllm:num_requests_running", this, m -> m.sum(LoadedModel::busySlots))
                .description("Requests generating now, all models").register(registry);
        Gauge.builder("vllm:kv_cache_usage_perc", this, Metrics::slotUse)
                .description("KV-cache use, 0 to 1: the share of the chat models' slots generating now "
                        + "(the inference gateways' KVCacheUtilization)").register(registry);
        Gauge.builder("modeld.memory.used", scheduler, Scheduler::used).baseUnit("bytes")
                .description("Memory the loaded models take, as the budget counts it").register(registry);
        Gauge.builder("modeld.memory.budget", scheduler, Scheduler::budget).baseUnit("bytes")
                .description("The memory budget").register(registry);
        Gauge.builder("modeld.models.loaded", this, m -> m.loaded.size()).description("Models loaded")
                .register(registry);
        Gauge.builder("modeld.downloads.active", downloads, IntSupplier::getAsInt).description("Downloads running")
                .register(registry);
        waiting = MultiGauge.builder("modeld.requests.waiting").description("Requests waiting for a slot")
                .register(registry);
        slots = MultiGauge.builder("modeld.slots").description("Requests a loaded model serves at once")
                .register(registry);
        busySlots = MultiGauge.builder("modeld.slots.busy").description("Slots generating now").register(registry);
        gpuUsed = MultiGauge.builder("modeld.gpu.memory.used").baseUnit("bytes")
                .description("A GPU's memory the loaded models' layers take, as the budget counts it").register(registry);
        gpuBudget = MultiGauge.builder("modeld.gpu.memory.budget").baseUnit("bytes")
                .description("What modeld may take on a GPU (--gpu-memory, or its free memory at start less a margin)")
                .register(registry);
    }

    /**
     * The scrape, in Prometheus' text format, the per-model gauges read now; written to {@code out} as it is made, with
     * no copy of it as text first (with 40 models that had answered, it is about 120 KB).
     */
    public void scrape(java.io.OutputStream out) throws java.io.IOException {
        List<LoadedModel> now = scheduler.loadedModels();
        loaded = now;
        List<MultiGauge.Row<?>> w = new ArrayList<>();
        List<MultiGauge.Row<?>> s = new ArrayList<>();
        List<MultiGauge.Row<?>> b = new ArrayList<>();
        for (LoadedModel l : now) {
            Tags t = Tags.of("model", label(l.id()));
            w.add(MultiGauge.Row.of(t, l.waiting()));
            s.add(MultiGauge.Row.of(t, l.slots()));
            b.add(MultiGauge.Row.of(t, l.busySlots()));
        }
        waiting.register(w, true);
        slots.register(s, true);
        busySlots.register(b, true);
        List<MultiGauge.Row<?>> gu = new ArrayList<>();
        List<MultiGauge.Row<?>> gb = new ArrayList<>();
        for (io.modeld.engine.Device d : scheduler.knownDevices()) {
            long[] use = scheduler.deviceUse(d);
            Tags t = Tags.of("device", d.name());
            gu.add(MultiGauge.Row.of(t, use[0]));
            gb.add(MultiGauge.Row.of(t, use[1]));
        }
        gpuUsed.register(gu, true);
        gpuBudget.register(gb, true);
        runtime.sample();
        registry.scrape(out, CONTENT_TYPE);
    }

    /** The content type of {@link #scrape}. */
    public static String contentType() {
        return CONTENT_TYPE;
    }

    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** A request answered by the HTTP layer: its door ({@code openai}, {@code ollama}, ...) and status. */
    public void request(String door, int status) {
        Counter.builder("modeld.http.requests").description("HTTP requests by door and status")
                .tags("door", door, "status", String.valueOf(status)).register(registry).increment();
    }

    @Override
    public void generated(String modelId, RunnerResult r) {
        String model = label(modelId);
        Counter.builder("modeld.requests").description("Generations by outcome").tags("model", model, "outcome", "ok")
                .register(registry).increment();
        Counter.builder("modeld.prompt.tokens").description("Prompt tokens, evaluated or read from the cache")
                .tags("model", model, "source", "evaluated").register(registry)
                .increment(Math.max(0, r.promptTokens() - r.cachedTokens()));
        Counter.builder("modeld.prompt.tokens").tags("model", model, "source", "cached").register(registry)
                .increment(r.cachedTokens());
        Counter.builder("modeld.generated.tokens").description("Tokens generated").tags("model", model)
                .register(registry).increment(r.tokens());
        Timer.builder("modeld.time.to.first.token").description("From the model's turn to its first token")
                .serviceLevelObjectives(FIRST_TOKEN).tags("model", model).register(registry)
                .record(Duration.ofNanos(r.promptNanos()));
        if (r.tokens() > 1) {
            Timer.builder("modeld.time.per.output.token").description("Between tokens, after the first")
                    .serviceLevelObjectives(PER_TOKEN).tags("model", model).register(registry)
                    .record(Duration.ofNanos(r.generateNanos() / (r.tokens() - 1)));
        }
    }

    @Override
    public void failed(String modelId) {
        Counter.builder("modeld.requests").tags("model", label(modelId), "outcome", "error").register(registry)
                .increment();
    }

    @Override
    public void loaded(String id, long nanos) {
        Timer.builder("modeld.load.time").description("Model loads and their time (count, sum and max: loads are few)")
                .tags("model", label(id)).register(registry).record(Duration.ofNanos(nanos));
    }

    @Override
    public void evicted(String id) {
        Counter.builder("modeld.evictions").description("Models evicted to make room for another")
                .tags("model", label(id)).register(registry).increment();
    }

    private String label(String id) {
        try {
            var s = models.get(id).spec();
            return s.unique() != null ? s.unique() : s.name();
        } catch (RuntimeException gone) {
            return id;
        }
    }

    private double sum(java.util.function.ToIntFunction<LoadedModel> f) {
        return loaded.stream().mapToInt(f).sum();
    }

    private double slotUse() {
        int all = 0;
        int busy = 0;
        for (LoadedModel l : loaded) {
            if (l.role() == ModelRole.GENERATOR) {
                all += l.slots();
                busy += l.busySlots();
            }
        }
        return all == 0 ? 0 : (double) busy / all;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
