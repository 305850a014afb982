package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code modeld show <model>}: one model in detail. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one model.")
final class ShowCommand extends ClientCommand {

    @Parameters(paramLabel = "MODEL", description = "Id, unique name, or a unique prefix of one.")
    String model;

    @Override
    public Integer call() {
        JsonNode m = client().get("/model/" + client().resolve(model));
        if (options.json) {
            printJson(m);
            return ExitCodes.OK;
        }
        out().printf("%-13s %s%n", "name", m.get("name").asText());
        out().printf("%-13s %s%n", "unique", m.path("unique").asText("-"));
        out().printf("%-13s %s%n", "id", m.get("id").asText());
        out().printf("%-13s %s%n", "state", state(m));
        out().printf("%-13s %s%n", "size", size(m.get("bytes")));
        out().printf("%-13s %s%n", "ram", size(m.get("ram")));
        out().printf("%-13s %s%n", "parameters", m.has("parameters") ? m.get("parameters").asText() + "B" : "-");
        out().printf("%-13s %s%n", "quantization", m.path("quantization").asText("-"));
        out().printf("%-13s %s%n", "context", m.has("maxTokens") ? m.get("maxTokens").path("total").asText("-") : "-");
        out().printf("%-13s %s%n", "source", m.has("source") ? m.get("source").path("url").asText() : "-");
        out().printf("%-13s %s%n", "custom", m.path("custom").asBoolean());
        if (m.hasNonNull("description")) {
            out().printf("%-13s %s%n", "description", m.get("description").asText());
        }
        return ExitCodes.OK;
    }
}
