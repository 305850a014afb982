package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modeld remote add URL [--key-file F | --key K] [--model M]...}, {@code modeld remote ls} and
 * {@code modeld remote rm URL}: the servers remote models live on. {@code add} gives the daemon the server's key
 * (kept in its data dir, never shown again) and makes a remote model of each model named, or of every model the
 * server lists; the server must be on the daemon's {@code --remotes} allow-list.
 */
@Command(name = "remote", mixinStandardHelpOptions = true,
        description = "Models that live on another modeld, an Ollama or an OpenAI-compatible server, answered here "
                + "by forwarding to it.",
        subcommands = {RemoteCommand.Add.class, RemoteCommand.Ls.class, RemoteCommand.Rm.class})
final class RemoteCommand extends ClientCommand {

    @Override
    public Integer call() {
        return new Ls().list(this);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Keep a server's key and make remote models of its models (all it lists, or those named "
                    + "with --model). The server must be on the daemon's --remotes list.")
    static final class Add extends ClientCommand {

        @Parameters(index = "0", paramLabel = "URL", description = "The server, e.g. http://gpu-box.lan:11434.")
        String url;

        @Option(names = "--key", description = "The server's key (seen by other users in the process list: prefer "
                + "--key-file or MODELD_REMOTE_KEY).")
        String key;

        @Option(names = "--key-file", description = "A file whose first line is the server's key.")
        Path keyFile;

        @Option(names = "--model", description = "A model on the server to use here (repeatable); default: all.")
        List<String> names;

        @Override
        public Integer call() {
            ObjectNode body = Json.MAPPER.createObjectNode().put("url", url);
            String k = key();
            if (k != null) {
                body.put("key", k);
            }
            if (names != null) {
                names.forEach(body.putArray("models")::add);
            }
            JsonNode made = client().post("/remotes", body.toString());
            if (options.json) {
                printJson(made);
                return ExitCodes.OK;
            }
            for (JsonNode m : made.path("models")) {
                out().printf("%s -> %s on %s%n", m.get("name").asText(), m.get("remote_model").asText(),
                        made.get("host").asText());
            }
            return ExitCodes.OK;
        }

        private String key() {
            if (key != null && keyFile != null) {
                throw new CliException(ExitCodes.USAGE, "give --key or --key-file, not both");
            }
            if (keyFile != null) {
                try {
                    return Files.readAllLines(keyFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
                } catch (IOException e) {
                    throw new CliException(ExitCodes.USAGE, "cannot read --key-file " + keyFile + ": " + e.getMessage());
                }
            }
            if (key != null) {
                return key;
            }
            String env = System.getenv("MODELD_REMOTE_KEY");
            return env == null || env.isBlank() ? null : env.strip();
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "The servers remote models live on: whether each answers, whether a key is kept, its models.")
    static final class Ls extends ClientCommand {

        @Override
        public Integer call() {
            return list(this);
        }

        Integer list(ClientCommand c) {
            JsonNode remotes = c.client().get("/remotes");
            if (c.options.json) {
                c.printJson(remotes);
                return ExitCodes.OK;
            }
            String row = "%-40s  %-9s  %-3s  %s%n";
            c.out().printf(row, "HOST", "STATE", "KEY", "MODELS");
            for (JsonNode h : remotes.path("hosts")) {
                String state = !h.path("allowed").asBoolean() ? "refused" : h.path("reachable").asBoolean()
                        ? h.path("latencyMs").asLong() + " ms" : "down";
                List<String> models = new java.util.ArrayList<>();
                h.path("models").forEach(m -> models.add(m.asText()));
                c.out().printf(row, h.get("host").asText(), state, h.path("key").asBoolean() ? "yes" : "no",
                        String.join(", ", models));
                if (h.hasNonNull("error")) {
                    c.out().printf("  %s%n", h.get("error").asText());
                }
            }
            c.out().printf("allowed: %s%n", remotes.path("allowed").isEmpty() ? "none (start modeld with --remotes)"
                    : String.join(", ", Json.MAPPER.convertValue(remotes.path("allowed"), String[].class)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Forget a server's key; its models stay (delete them with modeld rm).")
    static final class Rm extends ClientCommand {

        @Parameters(index = "0", paramLabel = "URL")
        String url;

        @Override
        public Integer call() {
            client().delete("/remotes?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8));
            out().println("forgot the key of " + url);
            return ExitCodes.OK;
        }
    }
}
