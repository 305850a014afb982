package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code modeld embed <model> <text>...}: one vector per text, one line each (or the whole answer as JSON). */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed texts with an embedding model: one vector per line, as a JSON array.")
final class EmbedCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "MODEL", description = "An embedding model: id, unique name or unique prefix.")
    String model;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TEXT", description = "The texts to embed.")
    List<String> texts;

    @Option(names = "--dimensions", description = "Keep only the first N values (for Matryoshka models), normalised again.")
    Integer dimensions;

    @Override
    public Integer call() {
        String id = client().resolve(model);
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", id);
        texts.forEach(body.putArray("input")::add);
        if (dimensions != null) {
            body.put("dimensions", dimensions);
        }
        JsonNode answer = client().post("/v1/embeddings", body.toString());
        if (options.json) {
            printJson(answer);
            return ExitCodes.OK;
        }
        for (JsonNode item : answer.get("data")) {
            out().println(item.get("embedding").toString());
        }
        return ExitCodes.OK;
    }
}
