package io.modeld.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Locale;

/**
 * The settings a running daemon may change, each declared once: its key (in {@code settings.json} and
 * {@code PUT /settings}), its name on the command line ({@code modeld config set NAME}, and the
 * {@code serve} flag {@code --NAME}), what it accepts and how it reads. {@link SettingsFile},
 * {@code PUT /settings} and {@code modeld config} go through here; before, the six were spelled out in five
 * places with bounds that had drifted apart.
 */
public enum Setting {

    /** Memory for loaded models: bytes, at least 256 MiB. */
    MEMORY_BUDGET("memoryBudget", "memory-budget", "a size such as \"6GiB\", at least 256MiB") {
        @Override
        JsonNode parse(JsonNode v) {
            long bytes = v.isIntegralNumber() ? v.asLong() : v.isTextual() ? Sizes.parseBytes(v.asText()) : -1;
            if (bytes < Sizes.MIN_MEMORY_BUDGET) {
                throw new IllegalArgumentException(rule() + "; below that no model fits");
            }
            return number(bytes);
        }

        @Override
        public String show(JsonNode v) {
            return Sizes.readable(v.asLong());
        }
    },
    /** How long an idle model stays loaded: a duration, or never. */
    KEEP_ALIVE("keepAlive", "keep-alive", "a duration such as \"30m\", or \"never\"") {
        @Override
        JsonNode parse(JsonNode v) {
            if (!v.isTextual()) {
                throw new IllegalArgumentException(rule());
            }
            return text(SettingsFile.spell(Sizes.parseDuration(v.asText())));
        }
    },
    /** The cap on all downloads together: bytes a second, 0 for none. */
    MAX_BANDWIDTH("maxBandwidth", "max-bandwidth", "a rate such as \"20MB/s\", or 0 or \"off\" for none") {
        @Override
        JsonNode parse(JsonNode v) {
            long rate = v.isIntegralNumber() ? v.asLong() : v.isTextual() ? Sizes.parseRate(v.asText()) : -1;
            if (rate < 0) {
                throw new IllegalArgumentException(rule());
            }
            return number(rate);
        }

        @Override
        public String show(JsonNode v) {
            return v.asLong() == 0 ? "off" : Sizes.readable(v.asLong()) + "/s";
        }
    },
    /** Model downloads at once. */
    MAX_DOWNLOADS("maxDownloads", "max-downloads", "a whole number from 1 to 64") {
        @Override
        JsonNode parse(JsonNode v) {
            return number(whole(v, 1, 64, rule()));
        }
    },
    /** Requests a loaded chat model serves at once, from its next load; 0 for auto. */
    PARALLEL("parallel", "parallel", "0 (auto) or a whole number from 1 to 16: requests a loaded chat model "
            + "serves at once, from its next load") {
        @Override
        JsonNode parse(JsonNode v) {
            return number(whole(v, 0, 16, rule()));
        }

        @Override
        public String show(JsonNode v) {
            return v.asInt() == 0 ? "auto" : v.asText();
        }
    },
    /** The context a chat model loads with when neither it nor the request says; 0 for auto. */
    CONTEXT("context", "context", "0 (auto) or a whole number of tokens from 512 to 1048576: the context a chat "
            + "model loads with when its Modelfile and the request name none, from its next load") {
        @Override
        JsonNode parse(JsonNode v) {
            long n = whole(v, 0, MAX_CONTEXT, rule());
            if (n > 0 && n < 512) {
                throw new IllegalArgumentException(rule());
            }
            return number(n);
        }

        @Override
        public String show(JsonNode v) {
            return v.asInt() == 0 ? "auto" : v.asText();
        }
    },
    /** The element type of a chat model's KV cache, from its next load. */
    KV_CACHE_TYPE("kvCacheType", "kv-cache-type", "f16, q8_0 (about half the memory) or q4_0 (about a quarter): the "
            + "KV cache of the chat models loaded from now on") {
        @Override
        JsonNode parse(JsonNode v) {
            String type = v.asText().toLowerCase(java.util.Locale.ROOT);
            if (!v.isTextual() || !java.util.List.of("f16", "q8_0", "q4_0").contains(type)) {
                throw new IllegalArgumentException(rule());
            }
            return text(type);
        }
    },
    /** Flash attention for the chat models loaded from now on: llama.cpp's choice, on or off. */
    FLASH_ATTENTION("flashAttention", "flash-attention", "auto, on or off: flash attention for the chat models "
            + "loaded from now on (a quantized KV cache needs it)") {
        @Override
        JsonNode parse(JsonNode v) {
            return text(switch (v.asText().toLowerCase(java.util.Locale.ROOT)) {   // Ollama's 1/true and 0/false too
                case "auto" -> "auto";
                case "on", "1", "true" -> "on";
                case "off", "0", "false" -> "off";
                default -> throw new IllegalArgumentException(rule());
            });
        }
    },
    /** The GPU backend the runners load: read when modeld starts. */
    GPU("gpu", "gpu", "auto, vulkan, cuda or none: the GPU backend the runners load (from modeld's next start)") {
        @Override
        JsonNode parse(JsonNode v) {
            String mode = v.asText().strip().toLowerCase(Locale.ROOT);
            if (!v.isTextual() || !Config.Gpu.MODES.contains(mode)) {
                throw new IllegalArgumentException(rule());
            }
            return text(mode);
        }
    },
    /** The layers a model puts on the GPU, from its next load: -1 as many as fit. */
    GPU_LAYERS("gpuLayers", "gpu-layers", "-1 (as many as fit the GPU), 0 (none) or a number of layers, for the "
            + "models loaded from now on") {
        @Override
        JsonNode parse(JsonNode v) {
            int n = v.isIntegralNumber() ? v.asInt() : v.isTextual() && v.asText().equals("auto") ? -1 : -2;
            if (n < -1 || n > 10_000) {
                throw new IllegalArgumentException(rule());
            }
            return number(n);
        }

        @Override
        public String show(JsonNode v) {
            return v.asInt() < 0 ? "auto" : v.asText();
        }
    },
    /** The chat model the Pieces SDKs' "GPT-3.5-turbo Chat Model" stands for; "" for the first downloaded one. */
    COPILOT_MODEL("copilotModel", "copilot-model", "the name or id of a chat model, or \"\" (\"auto\") for the "
            + "first downloaded one") {
        @Override
        JsonNode parse(JsonNode v) {
            if (!v.isTextual()) {
                throw new IllegalArgumentException(rule());
            }
            return text(v.asText().equals("auto") ? "" : v.asText());
        }

        @Override
        public String show(JsonNode v) {
            return v.asText().isEmpty() ? "auto" : v.asText();
        }
    };

    /** The largest context a setting may name: 2^20 tokens. */
    public static final int MAX_CONTEXT = 1 << 20;

    private final String key;
    private final String name;
    private final String rule;

    Setting(String key, String name, String rule) {
        this.key = key;
        this.name = name;
        this.rule = rule;
    }

    /** Its key in settings.json and PUT /settings. */
    public String key() {
        return key;
    }

    /** Its name on the command line. */
    public String cliName() {
        return name;
    }

    /** What it accepts, in words. */
    public String rule() {
        return rule;
    }

    /** A value given in JSON, checked and normalised; IllegalArgumentException naming the rule when it breaks it. */
    abstract JsonNode parse(JsonNode value);

    /** {@link #parse}, with the key in front of a refusal's words. */
    public JsonNode read(JsonNode value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** A value typed on the command line, as JSON (numbers as numbers). */
    public JsonNode fromText(String text) {
        return text.matches("-?\\d+") ? number(Long.parseLong(text)) : text(text);
    }

    /** A value as the command line shows it. */
    public String show(JsonNode value) {
        return value.asText();
    }

    /** The setting with this key, or null. */
    public static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    /** The setting with this command-line name, or null. */
    public static Setting byName(String name) {
        for (Setting s : values()) {
            if (s.name.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }

    private static int whole(JsonNode v, int min, int max, String rule) {
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw new IllegalArgumentException(rule);
        }
        return v.asInt();
    }

    private static JsonNode number(long n) {
        return JsonNodeFactory.instance.numberNode(n);
    }

    private static JsonNode text(String s) {
        return JsonNodeFactory.instance.textNode(s);
    }
}
