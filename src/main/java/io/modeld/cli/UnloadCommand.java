package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modeld unload <model>|--all}: frees a model's memory, or every model's. */
@Command(name = "unload", mixinStandardHelpOptions = true, description = "Unload a model, or all with --all.")
final class UnloadCommand extends ClientCommand {

    @ArgGroup(multiplicity = "1")
    Target target;

    static final class Target {
        @Parameters(paramLabel = "MODEL", description = "Id, unique name, or a unique prefix of one.")
        String model;

        @Option(names = "--all", description = "Unload every loaded model.")
        boolean all;
    }

    @Override
    public Integer call() {
        if (target.all) {
            client().post("/models/unload", null);
            out().println("all models unloaded");
            return ExitCodes.OK;
        }
        JsonNode m = client().post("/model/" + client().resolve(target.model) + "/unload", null);
        if (options.json) {
            printJson(m);
        } else {
            out().println(label(m) + ": unloaded");
        }
        return ExitCodes.OK;
    }
}
