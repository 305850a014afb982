package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code modeld cancel <model>}: stops a download and removes its partial data. */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a model's download.")
final class CancelCommand extends ClientCommand {

    @Parameters(paramLabel = "MODEL", description = "Id, unique name, or a unique prefix of one.")
    String model;

    @Override
    public Integer call() {
        String id = client().resolve(model);
        boolean was = client().get("/model/" + id).path("downloading").asBoolean();
        JsonNode m = client().post("/model/" + id + "/download/cancel", null);
        if (options.json) {
            printJson(m);
        } else {
            out().println(label(m) + (was ? ": download canceled" : ": was not downloading"));
        }
        return ExitCodes.OK;
    }
}
