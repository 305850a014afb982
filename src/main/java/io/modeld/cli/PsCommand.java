package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.api.schema.ByteDescriptor;
import picocli.CommandLine.Command;

/** {@code modeld ps}: the loaded models, the memory they use and the budget. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "Show loaded models and memory use.")
final class PsCommand extends ClientCommand {

    @Override
    public Integer call() {
        JsonNode memory = client().get("/memory");
        if (options.json) {
            printJson(memory);
            return ExitCodes.OK;
        }
        String row = "%-36s  %9s  %9s  %8s  %8s  %-4s  %s%n";
        out().printf(row, "NAME", "ESTIMATE", "RSS", "PID", "CONTEXT", "KV", "PROCESSOR");
        for (JsonNode l : memory.get("loaded")) {
            out().printf(row, l.hasNonNull("unique") ? l.get("unique").asText() : l.get("name").asText(),
                    ByteDescriptor.readable(l.get("estimate").asLong()), ByteDescriptor.readable(l.get("resident").asLong()),
                    l.get("pid").asText(), l.path("context").asText(), l.path("kvCacheType").asText(""), processor(l));
        }
        out().printf("memory: %s used of a %s budget%n", ByteDescriptor.readable(memory.get("used").asLong()),
                ByteDescriptor.readable(memory.get("budget").asLong()));
        for (JsonNode d : memory.path("devices")) {
            out().printf("%s (%s): %s used of %s%n", d.get("name").asText(), d.get("description").asText(),
                    ByteDescriptor.readable(d.get("used").asLong()), ByteDescriptor.readable(d.get("budget").asLong()));
        }
        return ExitCodes.OK;
    }

    /** Where a model runs, as Ollama's ps says it: {@code 100% CPU}, {@code 100% GPU} or {@code 25%/75% CPU/GPU} (by layers). */
    static String processor(JsonNode l) {
        int layers = l.path("layers").asInt(0);
        int onGpu = l.path("gpuLayers").asInt(0);
        if (onGpu <= 0 || layers <= 0) {
            return "100% CPU";
        }
        if (onGpu >= layers) {
            return "100% GPU (" + l.path("device").asText() + ")";
        }
        int gpu = (int) Math.round(100.0 * onGpu / layers);
        return (100 - gpu) + "%/" + gpu + "% CPU/GPU (" + l.path("device").asText() + ")";
    }
}
