package io.modeld.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The process's threads and processor, read once a scrape. Micrometer's own binders cost most of a scrape: its thread
 * metrics took a snapshot of every thread once per thread state (six a scrape, 1.5 ms of a 1.9 ms scrape here), and its
 * processor metrics asked the JDK for the CPU load, which reads the container's cgroup files each time (0.3 ms). Here
 * the thread states come from one snapshot ({@link #sample}) and the CPU as the counter of seconds used, which
 * Prometheus turns into a rate itself, as its own client libraries export it.
 */
final class RuntimeMeters {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final MultiGauge states;

    RuntimeMeters(MeterRegistry registry) {
        Gauge.builder("jvm.threads.live", threads, ThreadMXBean::getThreadCount).description("Live threads")
                .baseUnit("threads").register(registry);
        Gauge.builder("jvm.threads.daemon", threads, ThreadMXBean::getDaemonThreadCount).description("Daemon threads")
                .baseUnit("threads").register(registry);
        Gauge.builder("jvm.threads.peak", threads, ThreadMXBean::getPeakThreadCount)
                .description("The most live threads since the start").baseUnit("threads").register(registry);
        states = MultiGauge.builder("jvm.threads.states").description("Threads by state").baseUnit("threads")
                .register(registry);
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            FunctionCounter.builder("process.cpu.time", sun, b -> b.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("Processor time the daemon used (its runners are processes of their own)")
                    .register(registry);
        }
        Gauge.builder("system.load.average.1m", os, OperatingSystemMXBean::getSystemLoadAverage)
                .description("The system's load average over the last minute").register(registry);
        int cpus = Runtime.getRuntime().availableProcessors();
        Gauge.builder("system.cpu.count", () -> cpus).description("Processors the daemon may use, at its start")
                .register(registry);
    }

    /** Counts the threads by state, from one snapshot of them all. */
    void sample() {
        Map<Thread.State, Integer> count = new EnumMap<>(Thread.State.class);
        for (Thread.State s : Thread.State.values()) {
            count.put(s, 0);
        }
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null) {
                count.merge(t.getThreadState(), 1, Integer::sum);
            }
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        count.forEach((s, n) -> rows.add(MultiGauge.Row.of(Tags.of("state",
                s.name().toLowerCase(Locale.ROOT).replace('_', '-')), n)));
        states.register(rows, true);
    }
}
