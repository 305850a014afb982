package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.download.DownloadStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code modeld push <model> <target>}: a downloaded model to a registry, with a progress bar. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Push a downloaded model to a registry in Ollama's layout, so modeld and Ollama can pull it.")
final class PushCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Id, unique name, or a unique prefix of one.")
    String model;

    @Parameters(index = "1", paramLabel = "TARGET",
            description = "oci://HOST[:PORT]/REPO:TAG, or ollama://[HOST/]NAMESPACE/MODEL:TAG.")
    String target;

    @Override
    public Integer call() {
        String id = client().resolve(model);
        JsonNode m = client().post("/model/" + id + "/push",
                Json.MAPPER.createObjectNode().put("target", target).toString());
        Interrupts.reset();
        Interrupts.arm();
        JsonNode last = DownloadWatch.followSocket(client(), "/model/" + id + "/push/progress", label(m), System.err);
        if (last == null) {
            client().post("/model/" + id + "/push/cancel", null);
            System.err.println(label(m) + ": push canceled");
            return ExitCodes.INTERRUPTED;
        }
        if (DownloadStatus.fromWire(last.path("status").asText()) != DownloadStatus.COMPLETED) {
            throw new CliException(ExitCodes.FAILURE, label(m) + ": push failed: " + last.path("error").asText("unknown"));
        }
        out().println(label(m) + ": pushed to " + target);
        return ExitCodes.OK;
    }
}
