package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code modeld config [set KEY VALUE]}: the settings a running daemon may change (the memory budget,
 * keep-alive, bandwidth cap, downloads at once, a chat model's slots and the Pieces Copilot's model),
 * applied at once and kept across restarts.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Show the run-time settings, or change one: 'modeld config set memory-budget 8GiB' "
                + "(also keep-alive 30m|never, max-bandwidth 20MB/s|off, max-downloads 3, parallel 0|1..16: "
                + "requests a chat model serves at once, 0 auto, from its next load; copilot-model NAME|auto: the "
                + "chat model the Pieces SDKs' 'GPT-3.5-turbo Chat Model' stands for). Changes apply at once "
                + "and are kept in the data dir, winning over flags at the next start.")
final class ConfigCommand extends ClientCommand {

    private static final Map<String, String> KEYS = Map.of("memory-budget", "memoryBudget", "keep-alive", "keepAlive",
            "max-bandwidth", "maxBandwidth", "max-downloads", "maxDownloads", "parallel", "parallel",
            "copilot-model", "copilotModel");

    @Parameters(arity = "0..3", paramLabel = "set KEY VALUE")
    java.util.List<String> words;

    @Override
    public Integer call() {
        JsonNode now;
        if (words == null || words.isEmpty()) {
            now = client().get("/settings");
        } else {
            if (words.size() != 3 || !words.get(0).equals("set")) {
                throw new CliException(ExitCodes.USAGE, "use: modeld config, or modeld config set KEY VALUE");
            }
            String field = KEYS.get(words.get(1));
            if (field == null) {
                throw new CliException(ExitCodes.USAGE, "'" + words.get(1) + "' is not a setting: " + String.join(", ",
                        new java.util.TreeSet<>(KEYS.keySet())));
            }
            ObjectNode body = Json.MAPPER.createObjectNode();
            String value = words.get(2);
            if (field.equals("maxDownloads") || field.equals("parallel")) {
                if (!value.matches("\\d{1,2}")) {
                    throw new CliException(ExitCodes.USAGE, words.get(1) + ": a whole number ("
                            + (field.equals("parallel") ? "0 for auto, or 1 to 16)" : "1 to 64)"));
                }
                body.put(field, Integer.parseInt(value));
            } else if (field.equals("copilotModel") && value.equals("auto")) {
                body.put(field, "");
            } else {
                body.put(field, value);
            }
            now = client().put("/settings", body.toString());
        }
        if (options.json) {
            printJson(now);
        } else {
            long bw = now.path("maxBandwidth").asLong();
            out().println("memory-budget  " + readable(now.path("memoryBudget").asLong()));
            out().println("keep-alive     " + now.path("keepAlive").asText());
            out().println("max-bandwidth  " + (bw == 0 ? "off" : readable(bw) + "/s"));
            out().println("max-downloads  " + now.path("maxDownloads").asInt());
            int parallel = now.path("parallel").asInt();
            out().println("parallel       " + (parallel == 0 ? "auto" : parallel));
            String copilot = now.path("copilotModel").asText();
            out().println("copilot-model  " + (copilot.isEmpty() ? "auto" : copilot));
        }
        return ExitCodes.OK;
    }
}
