package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.config.Setting;
import java.util.Arrays;
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
            Setting setting = Setting.byName(words.get(1));
            if (setting == null) {
                throw new CliException(ExitCodes.USAGE, "'" + words.get(1) + "' is not a setting: " + String.join(", ",
                        Arrays.stream(Setting.values()).map(Setting::cliName).toList()));
            }
            JsonNode value;
            try {
                value = setting.read(setting.fromText(words.get(2)));
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, words.get(1) + ": " + setting.rule());
            }
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.set(setting.key(), value);
            now = client().put("/settings", body.toString());
        }
        if (options.json) {
            printJson(now);
        } else {
            for (Setting s : Setting.values()) {
                out().printf("%-14s %s%n", s.cliName(), s.show(now.path(s.key())));
            }
        }
        return ExitCodes.OK;
    }
}
