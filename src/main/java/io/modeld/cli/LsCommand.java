package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code modeld ls}: every model with its role, size, state and the memory it needs. */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List the models: name, role, size, state, RAM.")
final class LsCommand extends ClientCommand {

    @Override
    public Integer call() {
        JsonNode models = client().get("/models");
        // The Pieces SDKs' "GPT-3.5-turbo Chat Model" is a name for another row, not a model of its own.
        for (var it = models.path("iterable").elements(); it.hasNext(); ) {
            if (it.next().has("alias")) {
                it.remove();
            }
        }
        if (options.json) {
            printJson(models);
            return ExitCodes.OK;
        }
        int width = 4;
        for (JsonNode m : models.get("iterable")) {
            width = Math.max(width, label(m).length());
        }
        String row = "%-" + width + "s  %-9s  %9s  %-11s  %9s%n";
        out().printf(row, "NAME", "ROLE", "SIZE", "STATE", "RAM");
        for (JsonNode m : models.get("iterable")) {
            out().printf(row, label(m), m.path("role").asText("generator"), size(m.get("bytes")), state(m),
                    size(m.get("ram")));
        }
        return ExitCodes.OK;
    }
}
