package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code modeld bandwidth [RATE|off]}: shows or changes the cap on all downloads, while they run. */
@Command(name = "bandwidth", mixinStandardHelpOptions = true,
        description = "Show the cap on all downloads together, or change it at once (e.g. 20MB/s, or off).")
final class BandwidthCommand extends ClientCommand {

    @Parameters(arity = "0..1", paramLabel = "RATE", description = "e.g. 20MB/s, 512KiB/s, or off.")
    String rate;

    @Override
    public Integer call() {
        JsonNode now = rate == null ? client().get("/downloads/bandwidth")
                : client().put("/downloads/bandwidth", Json.MAPPER.createObjectNode().put("bytesPerSecond", rate).toString());
        if (options.json) {
            printJson(now);
        } else {
            long cap = now.path("bytesPerSecond").asLong();
            out().println(cap == 0 ? "downloads: no bandwidth cap" : "downloads: capped at " + readable(cap) + "/s");
        }
        return ExitCodes.OK;
    }
}
