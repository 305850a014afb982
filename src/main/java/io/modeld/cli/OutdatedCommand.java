package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code modeld outdated}: which downloaded models changed at their source. */
@Command(name = "outdated", mixinStandardHelpOptions = true,
        description = "Check downloaded models against their sources (registry manifests, ETags); "
                + "'modeld pull --update MODEL' fetches what changed.")
final class OutdatedCommand extends ClientCommand {

    @Override
    public Integer call() {
        JsonNode checks = client().get("/models/outdated");
        if (options.json) {
            printJson(checks);
            return ExitCodes.OK;
        }
        int outdated = 0;
        for (JsonNode c : checks.path("iterable")) {
            String state;
            if (c.hasNonNull("error")) {
                state = "cannot check: " + c.get("error").asText();
            } else if (c.path("outdated").isNull() || c.path("outdated").isMissingNode()) {
                state = "unknown (no version recorded; pull --update fetches it again)";
            } else if (c.get("outdated").asBoolean()) {
                state = "outdated";
                outdated++;
            } else {
                state = "up to date";
            }
            out().println(c.get("name").asText() + "  " + c.get("source").asText() + "  " + state);
        }
        if (checks.path("iterable").isEmpty()) {
            out().println("no downloaded model has a remote source");
        }
        return outdated > 0 ? ExitCodes.OUTDATED : ExitCodes.OK;
    }
}
