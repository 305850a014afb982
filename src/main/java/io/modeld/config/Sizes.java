package io.modeld.config;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the sizes and durations people type in flags: {@code 6GiB}, {@code 512MB}, {@code 30m}, {@code never}. */
public final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]?i?B?)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

    /**
     * The smallest memory budget a user may set: a runner with the smallest chat model needs about 150 MB,
     * so a budget below this loads nothing and only looks like a setting.
     */
    public static final long MIN_MEMORY_BUDGET = 256L << 20;

    private Sizes() {
    }

    /** A memory budget a user gave, checked against {@link #MIN_MEMORY_BUDGET}; IllegalArgumentException when smaller. */
    public static long memoryBudget(String text) {
        long bytes = parseBytes(text);
        if (bytes < MIN_MEMORY_BUDGET) {
            throw new IllegalArgumentException("'" + text + "' is below the smallest memory budget, 256MiB: no model "
                    + "would fit");
        }
        return bytes;
    }

    /** Bytes from {@code 6GiB} (binary), {@code 6GB} (decimal), {@code 6G} (binary) or a plain number of bytes. */
    public static long parseBytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use e.g. 6GiB, 512MiB or 8GB");
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
        boolean decimal = unit.length() == 2 && unit.endsWith("B");
        long base = decimal ? 1000 : 1024;
        int power = unit.isEmpty() || unit.equals("B") ? 0 : "KMGT".indexOf(unit.charAt(0)) + 1;
        double bytes = n * Math.pow(base, power);
        if (bytes >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return (long) bytes;
    }

    /** A rate from {@code 20MB/s}, {@code 500KiB/s} (the {@code /s} may be left out); 0 for {@code off}, {@code none} or empty. */
    public static long parseRate(String text) {
        if (text == null || text.isBlank() || text.equalsIgnoreCase("off") || text.equalsIgnoreCase("none")) {
            return 0;
        }
        String t = text.trim().replaceFirst("(?i)/s$", "");
        try {
            return parseBytes(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a rate: use e.g. 20MB/s, 512KiB/s or off");
        }
    }

    /** A duration from {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}; {@code null} for {@code never} or empty. */
    public static Duration parseDuration(String text) {
        if (text == null || text.isBlank() || text.equalsIgnoreCase("never")) {
            return null;
        }
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: use e.g. 30s, 5m, 2h or never");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB", "PB"};

    /** A size for people: decimal units with one decimal ("807.7 MB"), as download pages and file managers show it. */
    public static String readable(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        double v = bytes;
        int unit = 0;
        while (v >= 1000 && unit < UNITS.length - 1) {
            v /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
    }

    /** 75% of the machine's physical memory. */
    public static long defaultMemoryBudget() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getTotalMemorySize() / 4 * 3;
    }
}
