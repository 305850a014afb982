package io.modeld.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The settings changed while the daemon runs ({@code PUT /settings}, {@code modeld config set}), kept in
 * {@code <data-dir>/settings.json} (written to a temporary file, then renamed) so they survive a restart,
 * where they win over the flags and variables. Each is null when it was never set.
 *
 * @param memoryBudget bytes
 * @param keepAlive {@code never} or a duration such as {@code 30m}
 * @param maxBandwidth bytes a second, 0 for no cap
 * @param maxDownloads downloads at once
 * @param parallel requests a loaded chat model serves at once; 0 for auto
 * @param copilotModel the id of the chat model the Pieces SDKs' "GPT-3.5-turbo Chat Model" stands for; "" for
 *     automatic (the first downloaded chat model)
 */
public record SettingsFile(Long memoryBudget, String keepAlive, Long maxBandwidth, Integer maxDownloads,
                           Integer parallel, String copilotModel) {

    public static final String NAME = "settings.json";

    public static SettingsFile empty() {
        return new SettingsFile(null, null, null, null, null, null);
    }

    /** The settings kept in {@code dataDir}; none when there is no file. IllegalArgumentException when it is broken. */
    public static SettingsFile load(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return empty();
        }
        try {
            JsonNode n = Json.MAPPER.readTree(file.toFile());
            return new SettingsFile(n.hasNonNull("memoryBudget") ? n.get("memoryBudget").asLong() : null,
                    n.hasNonNull("keepAlive") ? n.get("keepAlive").asText() : null,
                    n.hasNonNull("maxBandwidth") ? n.get("maxBandwidth").asLong() : null,
                    n.hasNonNull("maxDownloads") ? n.get("maxDownloads").asInt() : null,
                    n.hasNonNull("parallel") ? n.get("parallel").asInt() : null,
                    n.hasNonNull("copilotModel") ? n.get("copilotModel").asText() : null);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + e.getMessage() + "); fix or remove it");
        }
    }

    /** Writes the settings into {@code dataDir}, durably. */
    public void save(Path dataDir) throws IOException {
        Path file = dataDir.resolve(NAME);
        Path tmp = dataDir.resolve(NAME + ".tmp");
        ObjectNode n = Json.MAPPER.valueToTree(this);
        PrivateFiles.file(tmp);
        Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** These settings with {@code other}'s non-null ones in place. */
    public SettingsFile with(SettingsFile other) {
        return new SettingsFile(other.memoryBudget != null ? other.memoryBudget : memoryBudget,
                other.keepAlive != null ? other.keepAlive : keepAlive,
                other.maxBandwidth != null ? other.maxBandwidth : maxBandwidth,
                other.maxDownloads != null ? other.maxDownloads : maxDownloads,
                other.parallel != null ? other.parallel : parallel,
                other.copilotModel != null ? other.copilotModel : copilotModel);
    }

    /**
     * {@code config} with these settings in place of its own. A value out of range (a file edited by hand,
     * or kept by an older modeld that checked less) is left out with a warning: the flag's value stays.
     */
    public Config applyTo(Config config) {
        Config.Builder b = config.toBuilder();
        if (memoryBudget != null) {
            if (memoryBudget >= Sizes.MIN_MEMORY_BUDGET) {
                b.memoryBudget(memoryBudget);
            } else {
                ignored("memoryBudget", memoryBudget + " bytes is below the smallest budget, 256MiB");
            }
        }
        if (keepAlive != null) {
            try {
                b.keepAlive(Sizes.parseDuration(keepAlive));
            } catch (IllegalArgumentException e) {
                ignored("keepAlive", e.getMessage());
            }
        }
        if (maxBandwidth != null) {
            if (maxBandwidth >= 0) {
                b.maxBandwidth(maxBandwidth);
            } else {
                ignored("maxBandwidth", "a negative rate");
            }
        }
        if (maxDownloads != null) {
            if (maxDownloads >= 1 && maxDownloads <= 64) {
                b.maxDownloads(maxDownloads);
            } else {
                ignored("maxDownloads", maxDownloads + " is not from 1 to 64");
            }
        }
        if (parallel != null) {
            if (parallel >= 0 && parallel <= 16) {
                b.parallel(parallel);
            } else {
                ignored("parallel", parallel + " is not from 0 to 16");
            }
        }
        return b.build();
    }

    private static void ignored(String field, String why) {
        org.slf4j.LoggerFactory.getLogger(SettingsFile.class).warn("{}: {} in {} is not used ({})", field, why, NAME,
                "set it again with modeld config set");
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
