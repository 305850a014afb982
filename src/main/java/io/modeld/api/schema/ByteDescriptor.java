package io.modeld.api.schema;

/** ByteDescriptor: a size in bytes and the same size for people ("807.7 MB", decimal units). */
public record ByteDescriptor(Schema schema, long value, String readable) {

    public static ByteDescriptor of(Schema schema, Long bytes) {
        return bytes == null ? null : new ByteDescriptor(schema, bytes, readable(bytes));
    }

    /** Decimal units with one decimal, as download pages and file managers show sizes. */
    public static String readable(long bytes) {
        return io.modeld.config.Sizes.readable(bytes);
    }
}
