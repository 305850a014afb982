package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code modeld load <model>}: loads a downloaded model into memory. */
@Command(name = "load", mixinStandardHelpOptions = true, description = "Load a model into memory.")
final class LoadCommand extends ClientCommand {

    @Parameters(paramLabel = "MODEL", description = "Id, unique name, or a unique prefix of one.")
    String model;

    @Override
    public Integer call() {
        JsonNode m = client().post("/model/" + client().resolve(model) + "/load", null);
        if (options.json) {
            printJson(m);
        } else {
            out().println(label(m) + ": loaded (needs about " + size(m.get("ram")) + ")");
        }
        return ExitCodes.OK;
    }
}
