package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modeld import <file.gguf> [--name] [--link]}: a custom model from a local GGUF, copied into the
 * store, or with {@code --link} used where it lies.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Make a custom model of a local GGUF file and copy it into the store, verified; "
                + "with --link, use it where it lies (no copy; modeld never changes or deletes it).")
final class ImportCommand extends ClientCommand {

    @Parameters(paramLabel = "FILE", description = "A .gguf file.")
    Path file;

    @Option(names = "--name", description = "The model's name (default: the file's name).")
    String name;

    @Option(names = "--link", description = "Use the file where it lies instead of copying it.")
    boolean link;

    @Override
    public Integer call() {
        Path abs = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            throw new CliException(ExitCodes.REFUSED, "no file at " + abs);
        }
        String base = abs.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
        String unique = (name == null ? base : name).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._:-]+", "-")
                .replaceAll("^[^a-z0-9]+", "");
        ObjectNode body = Json.MAPPER.createObjectNode().put("name", name == null ? base : name)
                .put("unique", unique.isEmpty() ? "imported" : unique);
        ObjectNode source = body.putObject("source").put("url", abs.toUri().toString());
        if (link) {
            source.put("link", true);
        }
        JsonNode m = client().post("/models/create", body.toString());
        String id = m.get("id").asText();
        if (link) {
            JsonNode linked = client().post("/model/" + id + "/download", null);
            out().println(label(linked) + ": " + (m.path("source").path("link").asBoolean()
                    ? "uses " + abs + " in place" : "already imported as a copy"));
            return ExitCodes.OK;
        }
        JsonNode started = client().post("/model/" + id + "/download", null);
        if (started.path("downloaded").asBoolean()) {
            out().println(label(started) + ": already imported");
            return ExitCodes.OK;
        }
        return PullCommand.follow(client(), Map.of(id, label(m)), this, options.json);
    }
}
