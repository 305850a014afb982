package io.modeld.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many clients on the API at once, each in a loop of the requests a plugin makes: read one model,
 * list them all, ask for an unknown one, and create, update and delete models of its own. Every
 * answer is checked (status and, for its own models, the content); anything else is an error.
 * Used by {@code ApiLoadTest} and, for the numbers, by {@code bench/api-load.sh}.
 */
public final class ApiLoad {

    /** What a run did: requests, errors (with a few examples), and the latency distribution. */
    public record Result(long requests, long errors, List<String> examples, double seconds, long p50Micros,
                         long p99Micros, long maxMicros, Map<String, Long> byOperation,
                         Map<String, Long> p99MicrosByOperation, Map<String, String> ownModels) {
        public double perSecond() {
            return requests / seconds;
        }
    }

    /** Each client keeps at most this many models, so the list stays the size a user's would be. */
    private static final int MODELS_PER_CLIENT = 2;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    /** Names this run's models apart from those of earlier runs on the same daemon. */
    private final String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private final AtomicLong errors = new AtomicLong();
    private final List<String> examples = new ArrayList<>();
    private final Map<String, AtomicLong> byOperation = new ConcurrentHashMap<>();
    private final Map<String, String> ownModels = new ConcurrentHashMap<>();
    private List<String> catalogIds;

    private ApiLoad(String base) {
        this.base = base;
    }

    /** Runs {@code clients} clients against the daemon at {@code base} for {@code duration}. */
    public static Result run(String base, int clients, Duration duration) throws Exception {
        return new ApiLoad(base).go(clients, duration);
    }

    private Result go(int clients, Duration duration) throws Exception {
        JsonNode list = Json.MAPPER.readTree(send("GET", "/models", null).body());
        catalogIds = list.get("iterable").findValuesAsText("id");
        long end = System.nanoTime() + duration.toNanos();
        List<Client> all = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            Client c = new Client(i, new Random(i), end);
            all.add(c);
            Thread t = new Thread(c, "api-load-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] latencies = all.stream().flatMapToLong(c -> Arrays.stream(c.latencies, 0, c.count)).sorted().toArray();
        Map<String, Long> ops = new HashMap<>();
        byOperation.forEach((k, v) -> ops.put(k, v.get()));
        Map<String, List<Long>> timesByOp = new HashMap<>();
        for (Client c : all) {
            for (int i = 0; i < c.count; i++) {
                timesByOp.computeIfAbsent(c.ops[i], k -> new ArrayList<>()).add(c.latencies[i]);
            }
        }
        Map<String, Long> p99ByOp = new HashMap<>();
        timesByOp.forEach((op, times) -> p99ByOp.put(op,
                percentile(times.stream().mapToLong(Long::longValue).sorted().toArray(), 0.99)));
        return new Result(latencies.length, errors.get(), List.copyOf(examples), seconds,
                percentile(latencies, 0.50), percentile(latencies, 0.99),
                latencies.length == 0 ? 0 : latencies[latencies.length - 1] / 1000, ops, p99ByOp, Map.copyOf(ownModels));
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1000;
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void error(String what) {
        errors.incrementAndGet();
        synchronized (examples) {
            if (examples.size() < 10) {
                examples.add(what);
            }
        }
    }

    /** One client: a loop of weighted operations until the end, each timed. */
    private final class Client implements Runnable {
        final int number;
        final Random random;
        final long end;
        final List<String> mine = new ArrayList<>();
        long[] latencies = new long[1 << 14];
        String[] ops = new String[1 << 14];
        int count;
        int made;

        Client(int number, Random random, long end) {
            this.number = number;
            this.random = random;
            this.end = end;
        }

        @Override
        public void run() {
            while (System.nanoTime() < end) {
                int dice = random.nextInt(100);
                String op = mine.isEmpty() || dice < 5 ? "create" : dice < 10 ? "delete" : dice < 20 ? "update"
                        : dice < 25 ? "unknown" : dice < 55 ? "list" : "get";
                if (op.equals("create") && mine.size() >= MODELS_PER_CLIENT) {
                    op = "delete";
                }
                long t0 = System.nanoTime();
                try {
                    perform(op);
                } catch (Exception e) {
                    error(op + ": " + e);
                }
                record(op, System.nanoTime() - t0);
                byOperation.computeIfAbsent(op, k -> new AtomicLong()).incrementAndGet();
            }
        }

        private void record(String op, long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
                ops = Arrays.copyOf(ops, count * 2);
            }
            ops[count] = op;
            latencies[count++] = nanos;
        }

        private void perform(String op) throws Exception {
            switch (op) {
                case "create" -> {
                    String unique = "load-" + run + "-" + number + "-" + made++;
                    HttpResponse<String> r = send("POST", "/models/create", "{\"name\": \"" + unique
                            + "\", \"unique\": \"" + unique + "\", \"description\": \"v0\"}");
                    if (expect(op, r, 200)) {
                        String id = Json.MAPPER.readTree(r.body()).get("id").asText();
                        mine.add(id);
                        ownModels.put(id, "v0");
                    }
                }
                case "update" -> {
                    String id = mine.get(random.nextInt(mine.size()));
                    String v = "v" + random.nextInt(1_000_000);
                    HttpResponse<String> r = send("POST", "/model/update",
                            "{\"id\": \"" + id + "\", \"description\": \"" + v + "\"}");
                    if (expect(op, r, 200) && !v.equals(Json.MAPPER.readTree(r.body()).get("description").asText())) {
                        error("update: answer without the new description: " + r.body());
                    }
                    ownModels.put(id, v);
                }
                case "delete" -> {
                    String id = mine.remove(random.nextInt(mine.size()));
                    expect(op, send("POST", "/models/" + id + "/delete", null), 204);
                    ownModels.remove(id);
                }
                case "unknown" -> expect(op, send("GET", "/model/no-such-model-" + random.nextInt(1000), null), 410);
                case "list" -> expect(op, send("GET", "/models", null), 200);
                default -> {
                    String id = !mine.isEmpty() && random.nextBoolean() ? mine.get(random.nextInt(mine.size()))
                            : catalogIds.get(random.nextInt(catalogIds.size()));
                    HttpResponse<String> r = send("GET", "/model/" + id, null);
                    String wanted = ownModels.get(id);
                    if (expect(op, r, 200) && wanted != null
                            && !wanted.equals(Json.MAPPER.readTree(r.body()).get("description").asText())) {
                        error("get: stale description for " + id + ": " + r.body());
                    }
                }
            }
        }

        private boolean expect(String op, HttpResponse<String> r, int status) {
            if (r.statusCode() != status) {
                error(op + ": " + r.statusCode() + " " + r.body());
                return false;
            }
            return true;
        }
    }

    /** {@code ApiLoad <base URL> <clients> <seconds>}: prints one Markdown table row. */
    public static void main(String[] args) throws Exception {
        Result r = run(args[0], Integer.parseInt(args[1]), Duration.ofSeconds(Long.parseLong(args[2])));
        System.out.printf("| %s clients, %s s, mixed | %,d | %,.0f | %.2f ms | %.2f ms | %.1f ms | %d |%n",
                args[1], args[2], r.requests(), r.perSecond(), r.p50Micros() / 1000.0, r.p99Micros() / 1000.0,
                r.maxMicros() / 1000.0, r.errors());
        System.out.println("operations: " + r.byOperation() + "; p99 µs by operation: " + r.p99MicrosByOperation()
                + (r.errors() > 0 ? "; errors: " + r.examples() : ""));
    }
}
