package io.modeld.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The settings changed while the daemon runs ({@code PUT /settings}, {@code modeld config set}), kept in
 * {@code <data-dir>/settings.json} (written to a temporary file, then renamed) so they survive a restart,
 * where they win over the flags and variables. What each accepts is its {@link Setting}'s; one never set is
 * absent.
 */
public final class SettingsFile {

    public static final String NAME = "settings.json";

    private final Map<Setting, JsonNode> values;

    private SettingsFile(Map<Setting, JsonNode> values) {
        this.values = Collections.unmodifiableMap(new EnumMap<>(values));
    }

    public static SettingsFile empty() {
        return new SettingsFile(new EnumMap<>(Setting.class));
    }

    /** These values (already read by their settings). */
    public static SettingsFile of(Map<Setting, JsonNode> values) {
        return new SettingsFile(values.isEmpty() ? new EnumMap<>(Setting.class) : new EnumMap<>(values));
    }

    /**
     * The settings kept in {@code dataDir}; none when there is no file. A value its setting refuses (a file
     * edited by hand, or kept by an older modeld that checked less) is left out with a warning: the flag's
     * value stays. IllegalArgumentException when the file is no JSON.
     */
    public static SettingsFile load(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return empty();
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + e.getMessage() + "); fix or remove it");
        }
        Map<Setting, JsonNode> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            JsonNode v = n.get(s.key());
            if (v != null && !v.isNull()) {
                try {
                    values.put(s, s.read(v));
                } catch (IllegalArgumentException e) {
                    org.slf4j.LoggerFactory.getLogger(SettingsFile.class).warn("{} in {} is not used ({})",
                            e.getMessage(), NAME, "set it again with modeld config set");
                }
            }
        }
        return new SettingsFile(values);
    }

    /** Writes the settings into {@code dataDir}, durably. */
    public void save(Path dataDir) throws IOException {
        Path file = dataDir.resolve(NAME);
        Path tmp = dataDir.resolve(NAME + ".tmp");
        ObjectNode n = Json.MAPPER.createObjectNode();
        values.forEach((s, v) -> n.set(s.key(), v));
        PrivateFiles.file(tmp);
        Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** These settings with {@code other}'s in place. */
    public SettingsFile with(SettingsFile other) {
        Map<Setting, JsonNode> merged = new EnumMap<>(Setting.class);
        merged.putAll(values);
        merged.putAll(other.values);
        return new SettingsFile(merged);
    }

    /** The value kept for {@code s}, or null. */
    public JsonNode get(Setting s) {
        return values.get(s);
    }

    /** {@code config} with these settings in place of its own. */
    public Config applyTo(Config config) {
        ConfigBuilder b = config.toBuilder();
        values.forEach((s, v) -> {
            switch (s) {
                case MEMORY_BUDGET -> b.memoryBudget(v.asLong());
                case KEEP_ALIVE -> b.keepAlive(Sizes.parseDuration(v.asText()));
                case MAX_BANDWIDTH -> b.maxBandwidth(v.asLong());
                case MAX_DOWNLOADS -> b.maxDownloads(v.asInt());
                case PARALLEL -> b.parallel(v.asInt());
                case CONTEXT -> b.context(v.asInt());
                case KV_CACHE_TYPE -> b.kvCache(v.asText(), b.flashAttention);
                case FLASH_ATTENTION -> b.kvCache(b.kvCacheType, v.asText());
                case GPU -> b.gpu(new Config.Gpu(v.asText(), b.gpu.layers(), b.gpu.memory(),
                        b.gpu.devices()));
                case GPU_LAYERS -> b.gpu(new Config.Gpu(b.gpu.mode(), v.asInt(), b.gpu.memory(), b.gpu.devices()));
                case COPILOT_MODEL -> { }   // a model, not a flag: the daemon reads it once its models are known
            }
        });
        return b.build();
    }

    /** A duration as the settings spell it: {@code never}, or whole seconds, minutes or hours. */
    public static String spell(Duration d) {
        if (d == null || d.isNegative()) {
            return "never";
        }
        long s = d.toSeconds();
        return s % 3600 == 0 && s > 0 ? s / 3600 + "h" : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
    }
}
