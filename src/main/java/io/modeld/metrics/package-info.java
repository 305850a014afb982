/**
 * What modeld tells a Prometheus that scrapes it ({@code GET /metrics}): Micrometer's Prometheus registry, fed by the
 * core's events (generations, loads, evictions) and read from its state at each scrape (requests waiting and running,
 * slots, memory in RAM and on each GPU, downloads), with the JVM's own meters. Above the core, beside the doors: nothing in the core knows
 * Micrometer.
 */
package io.modeld.metrics;
