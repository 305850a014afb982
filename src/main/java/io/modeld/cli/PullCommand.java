package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.download.DownloadStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code modeld pull <model>...}: starts every download at once (the daemon runs them in parallel up to
 * --max-downloads), then follows each with a progress bar. Ctrl-C asks whether to cancel them or leave
 * them running in the daemon.
 */
@Command(name = "pull", mixinStandardHelpOptions = true, description = "Download models, with progress bars.")
final class PullCommand extends ClientCommand {

    @Parameters(paramLabel = "MODEL", arity = "1..*", description = "Ids, unique names, or unique prefixes.")
    List<String> models;

    @picocli.CommandLine.Option(names = "--update",
            description = "Fetch what changed at the source of downloaded models (see 'modeld outdated').")
    boolean update;

    @Override
    public Integer call() {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String name : models) {
            String id = client().resolve(name);
            JsonNode m = client().post("/model/" + id + (update ? "/download/update" : "/download"), null);
            if (m.path("downloaded").asBoolean() && !m.path("downloading").asBoolean()) {
                out().println(label(m) + (update ? ": up to date" : ": already downloaded"));
            } else {
                labels.put(id, label(m));
            }
        }
        return follow(client(), labels, this, options.json);
    }

    /**
     * Follows the downloads in {@code labels} (id to name); shared with {@code import}. Ctrl-C in a
     * terminal stops following and asks whether to cancel them or leave them running in the daemon.
     */
    static int follow(DaemonClient client, Map<String, String> labels, ClientCommand command, boolean json) {
        Interrupts.reset();
        Interrupts.arm();
        int code = ExitCodes.OK;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            JsonNode last = DownloadWatch.follow(client, e.getKey(), e.getValue(), System.err);
            if (last == null) {
                return askAfterCtrlC(client, labels);
            }
            DownloadStatus status = DownloadStatus.fromWire(last.path("status").asText());
            if (json) {
                command.printJson(client.get("/model/" + e.getKey()));
            } else if (status == DownloadStatus.COMPLETED) {
                command.out().println(e.getValue() + ": downloaded and verified");
            }
            if (status != DownloadStatus.COMPLETED) {
                command.spec.commandLine().getErr().println("modeld: " + e.getValue() + ": "
                        + status.wire().toLowerCase(Locale.ROOT) + (last.hasNonNull("error") ? ": " + last.get("error").asText() : ""));
                code = ExitCodes.FAILURE;
            }
        }
        return code;
    }

    private static int askAfterCtrlC(DaemonClient client, Map<String, String> labels) {
        System.err.print(System.lineSeparator() + "Cancel the download" + (labels.size() > 1 ? "s" : "") + "? [y/N] ");
        System.err.flush();
        String answer;
        try {
            answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            answer = null;
        }
        if (answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
            labels.keySet().forEach(id -> client.post("/model/" + id + "/download/cancel", null));
            System.err.println("canceled");
        } else {
            System.err.println("left running in the daemon; follow again with modeld pull");
        }
        return ExitCodes.INTERRUPTED;
    }
}
