package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modeld launch claude|codex|opencode [--model NAME] [-- ARGS]}: runs a coding agent on a model of this
 * daemon, as {@code ollama launch} does: the model is checked (and downloaded, with a bar, when it is not yet),
 * the agent's own variables point it at the daemon (nothing of the agent's configuration is written: opencode
 * gets its provider in {@code OPENCODE_CONFIG_CONTENT}, merged over the user's own files), and its exit code is
 * this command's. Without the agent installed, it says how to get it.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = "Run a coding agent (claude, codex or opencode) on a model of this daemon.")
final class LaunchCommand extends ClientCommand {

    /** The agents: their command, the npm package that installs it, and how each is pointed at a server. */
    enum Agent {
        CLAUDE("claude", "@anthropic-ai/claude-code"), CODEX("codex", "@openai/codex"),
        OPENCODE("opencode", "opencode-ai");

        final String command;
        final String npm;

        Agent(String command, String npm) {
            this.command = command;
            this.npm = npm;
        }

        /**
         * The agent's arguments for {@code model}, with the user's {@code extra} ones. opencode takes its model
         * after its subcommand ({@code run --model ...}), so it goes after the first of them unless that is an
         * option.
         */
        List<String> arguments(String model, List<String> extra) {
            List<String> args = new ArrayList<>(extra);
            switch (this) {
                case CLAUDE -> args.addAll(0, List.of("--model", model));
                case CODEX -> args.addAll(0, List.of("--oss", "--local-provider", "ollama", "-m", model));
                case OPENCODE -> args.addAll(args.isEmpty() || args.get(0).startsWith("-") ? 0 : 1,
                        List.of("--model", "modeld/" + model));
            }
            return args;
        }

        Map<String, String> environment(String base, String model, String apiKey) {
            Map<String, String> env = new LinkedHashMap<>();
            switch (this) {
                case CLAUDE -> {
                    env.put("ANTHROPIC_BASE_URL", base);
                    env.put("ANTHROPIC_AUTH_TOKEN", apiKey == null ? "modeld" : apiKey);
                    env.put("ANTHROPIC_MODEL", model);
                    env.put("ANTHROPIC_DEFAULT_HAIKU_MODEL", model);   // its small requests (titles) on the same model
                    env.put("ANTHROPIC_DEFAULT_SONNET_MODEL", model);
                    env.put("ANTHROPIC_DEFAULT_OPUS_MODEL", model);
                    env.put("ANTHROPIC_SMALL_FAST_MODEL", model);
                }
                case CODEX -> env.put("CODEX_OSS_BASE_URL", base + "/v1");
                case OPENCODE -> env.put("OPENCODE_CONFIG_CONTENT", opencodeConfig(base, model, apiKey));
            }
            return env;
        }

        /** opencode's provider for this daemon: OpenAI's chat API, {@code model} the default and small model. */
        private static String opencodeConfig(String base, String model, String apiKey) {
            ObjectNode config = Json.MAPPER.createObjectNode()
                    .put("model", "modeld/" + model).put("small_model", "modeld/" + model);
            ObjectNode provider = config.putObject("provider").putObject("modeld")
                    .put("npm", "@ai-sdk/openai-compatible").put("name", "modeld");
            ObjectNode options = provider.putObject("options").put("baseURL", base + "/v1");
            if (apiKey != null) {
                options.put("apiKey", apiKey);
            }
            provider.putObject("models").putObject(model).put("name", model).put("tool_call", true);
            return config.toString();
        }
    }

    @Parameters(index = "0", paramLabel = "AGENT", description = "claude, codex or opencode.")
    String agent;

    @Option(names = "--model", description = "The model (id or unique name); default: the first downloaded chat model.")
    String model;

    @Option(names = "--command", description = "The agent's executable (default: found on PATH).")
    Path command;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "More arguments for the agent (after --).")
    List<String> extra;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Agent a;
        try {
            a = Agent.valueOf(agent.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "no agent '" + agent + "': claude, codex or opencode");
        }
        Path exe = command != null ? command : onPath(a.command);
        if (exe == null || !Files.isExecutable(exe)) {
            throw new CliException(ExitCodes.NOT_FOUND, a.command + " is not installed: npm install -g " + a.npm);
        }
        String name = model(model);
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(exe.toString()),
                a.arguments(name, extra == null ? List.of() : extra).stream()).toList()).inheritIO();
        pb.environment().putAll(a.environment(client().base().toString().replaceAll("/$", ""), name, options.apiKey));
        spec.commandLine().getErr().println("modeld: " + a.command + " on " + name + " at " + client().base());
        return pb.start().waitFor();
    }

    /** The model's unique name, downloaded first (with a bar) when it is not yet. */
    private String model(String asked) {
        JsonNode chosen = null;
        if (asked == null) {
            for (JsonNode m : client().get("/models").get("iterable")) {
                if (m.path("downloaded").asBoolean() && "generator".equals(m.path("role").asText())) {
                    chosen = m;
                    break;
                }
            }
            if (chosen == null) {
                throw new CliException(ExitCodes.NOT_FOUND, "no chat model is downloaded: name one with --model");
            }
        } else {
            chosen = client().get("/model/" + client().resolve(asked));
        }
        String id = chosen.get("id").asText();
        if (!chosen.path("downloaded").asBoolean()) {
            client().post("/model/" + id + "/download", null);
            if (PullCommand.follow(client(), Map.of(id, label(chosen)), this, false) != ExitCodes.OK) {
                throw new CliException(ExitCodes.FAILURE, label(chosen) + " could not be downloaded");
            }
        }
        return label(chosen);
    }

    private static Path onPath(String tool) {
        String path = System.getenv("PATH");
        return path == null ? null : Stream.of(path.split(File.pathSeparator)).map(d -> Path.of(d, tool))
                .filter(Files::isExecutable).findFirst().orElse(null);
    }
}
