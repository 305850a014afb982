package io.modeld.api.schema;

import java.util.Locale;

/** ByteDescriptor: a size in bytes and the same size for people ("807.7 MB", decimal units). */
public record ByteDescriptor(Schema schema, long value, String readable) {

    private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB", "PB"};

    public static ByteDescriptor of(Schema schema, Long bytes) {
        return bytes == null ? null : new ByteDescriptor(schema, bytes, readable(bytes));
    }

    /** Decimal units with one decimal, as download pages and file managers show sizes. */
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
}
