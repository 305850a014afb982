package io.modeld.load;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.testing.ApiLoad;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the API load: 64 clients for 5 s (-Dmodeld.load.seconds=60 gives the full minute): no
 * errors, and afterwards the store holds exactly what the clients were told. The measured run, from a
 * packaged daemon with requests/s and p99, is bench/api-load.sh.
 */
class ApiLoadTest {

    @TempDir
    Path dataDir;

    @Test
    void sixty_four_clients_get_no_errors_and_the_store_agrees() throws Exception {
        Duration duration = Duration.ofSeconds(Long.getLong("modeld.load.seconds", 5));
        try (TestDaemon daemon = TestDaemon.start(dataDir)) {
            int catalog = ok(daemon.get("/models")).get("iterable").size();
            ApiLoad.Result r = ApiLoad.run("http://127.0.0.1:" + daemon.port(), 64, duration);
            System.out.printf("ApiLoadTest: %d requests in %.1f s = %.0f/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, "
                            + "%d errors; %s%n", r.requests(), r.seconds(), r.perSecond(), r.p50Micros() / 1000.0,
                    r.p99Micros() / 1000.0, r.maxMicros() / 1000.0, r.errors(), r.byOperation());
            assertThat(r.examples()).as("errors").isEmpty();
            assertThat(r.errors()).isZero();
            assertThat(r.byOperation()).containsKeys("create", "update", "delete", "get", "list", "unknown");

            daemon.restart();
            Map<String, String> stored = new HashMap<>();
            for (JsonNode m : ok(daemon.get("/models")).get("iterable")) {
                if (m.get("custom").asBoolean()) {
                    stored.put(m.get("id").asText(), m.get("description").asText());
                }
            }
            assertThat(stored).isEqualTo(r.ownModels());
            assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(catalog + r.ownModels().size());
        }
    }
}
