package io.modeld.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SizesTest {

    @Test
    void parses_binary_decimal_and_plain_sizes() {
        assertThat(Sizes.parseBytes("6GiB")).isEqualTo(6L << 30);
        assertThat(Sizes.parseBytes("6G")).isEqualTo(6L << 30);
        assertThat(Sizes.parseBytes("8GB")).isEqualTo(8_000_000_000L);
        assertThat(Sizes.parseBytes("512mib")).isEqualTo(512L << 20);
        assertThat(Sizes.parseBytes("1.5GiB")).isEqualTo(3L << 29);
        assertThat(Sizes.parseBytes("1024")).isEqualTo(1024);
    }

    @Test
    void refuses_what_is_not_a_size() {
        assertThatThrownBy(() -> Sizes.parseBytes("lots")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> Sizes.parseBytes("-1GiB")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> Sizes.parseBytes("9999999999TiB")).hasMessageContaining("too large");
    }

    @Test
    void parses_durations_and_never() {
        assertThat(Sizes.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Sizes.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Sizes.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Sizes.parseDuration("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Sizes.parseDuration("never")).isNull();
        assertThatThrownBy(() -> Sizes.parseDuration("soon")).hasMessageContaining("not a duration");
    }

    @Test
    void default_memory_budget_is_three_quarters_of_ram() {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        assertThat(Sizes.defaultMemoryBudget()).isEqualTo(os.getTotalMemorySize() / 4 * 3).isPositive();
    }
}
