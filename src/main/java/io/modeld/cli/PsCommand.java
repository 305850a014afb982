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
        String row = "%-36s  %9s  %9s  %8s  %8s  %-4s%n";
        out().printf(row, "NAME", "ESTIMATE", "RSS", "PID", "CONTEXT", "KV");
        for (JsonNode l : memory.get("loaded")) {
            out().printf(row, l.hasNonNull("unique") ? l.get("unique").asText() : l.get("name").asText(),
                    ByteDescriptor.readable(l.get("estimate").asLong()), ByteDescriptor.readable(l.get("resident").asLong()),
                    l.get("pid").asText(), l.path("context").asText(), l.path("kvCacheType").asText(""));
        }
        out().printf("memory: %s used of a %s budget%n", ByteDescriptor.readable(memory.get("used").asLong()),
                ByteDescriptor.readable(memory.get("budget").asLong()));
        return ExitCodes.OK;
    }
}
