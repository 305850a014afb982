package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modeld rm <model> [--purge]}: removes a model's files; with --purge, a custom model's entry too. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Remove a model's downloaded files (unloading it first); --purge also deletes a custom model.")
final class RmCommand extends ClientCommand {

    @Parameters(paramLabel = "MODEL", description = "Id, unique name, or a unique prefix of one.")
    String model;

    @Option(names = "--purge", description = "Delete the model's entry as well (custom models only).")
    boolean purge;

    @Override
    public Integer call() {
        String id = client().resolve(model);
        JsonNode m = client().get("/model/" + id);
        if (purge) {
            client().post("/models/" + id + "/delete", null);
            out().println(label(m) + ": deleted");
        } else {
            client().post("/models/" + id + "/delete/cache", "{}");
            out().println(label(m) + ": files removed");
        }
        return ExitCodes.OK;
    }
}
