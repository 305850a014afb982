package io.modeld.engine;

import java.util.Locale;

/**
 * How a chat model's context keeps its KV cache: the element type of its keys and values ({@code f16}, or
 * quantized {@code q8_0} at about half its memory, {@code q4_0} at about a quarter, as llama-server's
 * {@code --cache-type-k/-v} and Ollama's {@code OLLAMA_KV_CACHE_TYPE}), and flash attention ({@code auto}:
 * llama.cpp's choice, as llama-server's default; Ollama's {@code OLLAMA_FLASH_ATTENTION}). A quantized value
 * cache needs flash attention in llama.cpp, so a quantized type with flash attention off is refused.
 */
public record KvCache(Type type, FlashAttention flash) {

    public static final KvCache DEFAULT = new KvCache(Type.F16, FlashAttention.AUTO);

    public KvCache {
        if (type != Type.F16 && flash == FlashAttention.OFF) {
            throw new IllegalArgumentException("a " + type.wire() + " KV cache needs flash attention (auto or on): "
                    + "llama.cpp quantizes the values only with it");
        }
    }

    /** An element type of the cache: ggml's type id and the bytes an element takes (a block's share for quantized ones). */
    public enum Type {
        F16(1, 2.0), Q8_0(8, 34 / 32.0), Q4_0(2, 18 / 32.0);

        final int ggml;
        private final double bytes;

        Type(int ggml, double bytes) {
            this.ggml = ggml;
            this.bytes = bytes;
        }

        public double bytesPerElement() {
            return bytes;
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The type a user named; IllegalArgumentException naming the choices. */
        public static Type of(String name) {
            for (Type t : values()) {
                if (t.wire().equals(name == null ? "" : name.toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException("KV cache type: f16, q8_0 or q4_0, not '" + name + "'");
        }
    }

    /** Flash attention: llama.cpp's choice, or forced on or off (llama.cpp's {@code flash_attn_type}). */
    public enum FlashAttention {
        AUTO(-1), ON(1), OFF(0);

        final int llama;

        FlashAttention(int llama) {
            this.llama = llama;
        }

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code auto}, {@code on} or {@code off}; Ollama's {@code 1}/{@code true} and {@code 0}/{@code false} too. */
        public static FlashAttention of(String name) {
            return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
                case "auto", "" -> AUTO;
                case "on", "1", "true" -> ON;
                case "off", "0", "false" -> OFF;
                default -> throw new IllegalArgumentException("flash attention: auto, on or off, not '" + name + "'");
            };
        }
    }
}
