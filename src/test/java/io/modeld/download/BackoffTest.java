package io.modeld.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void grows_exponentially_with_jitter_up_to_the_cap() {
        Random random = new Random(1);
        for (int attempt = 1; attempt <= 12; attempt++) {
            long ceiling = Math.min(30_000, 1000L << (attempt - 1));
            for (int i = 0; i < 50; i++) {
                long d = Backoff.delay(attempt, null, random).toMillis();
                assertThat(d).isBetween(ceiling / 2, ceiling);
            }
        }
    }

    @Test
    void honours_retry_after_up_to_five_minutes_but_never_waits_less_than_its_own_backoff() {
        assertThat(Backoff.delay(1, Duration.ofSeconds(7), new Random())).isEqualTo(Duration.ofSeconds(7));
        assertThat(Backoff.delay(1, Duration.ZERO, new Random()).toMillis()).isBetween(500L, 1000L);
        assertThat(Backoff.delay(4, Duration.ofSeconds(1), new Random()).toMillis()).isBetween(4000L, 8000L);
        assertThat(Backoff.delay(1, Duration.ofHours(2), new Random())).isEqualTo(Duration.ofMinutes(5));
        assertThat(HttpSource.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(HttpSource.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(HttpSource.retryAfter("soon")).isNull();
    }
}
