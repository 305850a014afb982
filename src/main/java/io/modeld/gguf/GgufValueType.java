package io.modeld.gguf;

/** The metadata value types of GGUF, by their number in the file. */
enum GgufValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1), STRING(8), ARRAY(12),
    UINT64(8), INT64(8), FLOAT64(8);

    /** The fewest bytes one value takes in the file (a string: its 8-byte length; an array: type and count). */
    final int minBytes;

    GgufValueType(int minBytes) {
        this.minBytes = minBytes;
    }

    static GgufValueType of(int id) throws GgufFormatException {
        GgufValueType[] all = values();
        if (id < 0 || id >= all.length) {
            throw new GgufFormatException("unknown metadata value type " + id);
        }
        return all[id];
    }
}
