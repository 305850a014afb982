package io.modeld.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code modeld run <model> [prompt]}: chat with a model through the OpenAI endpoint, streaming the
 * answer. With a prompt, one answer; without, a conversation read line by line until end of input.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Chat with a model (streams the answer).")
final class RunCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Id, unique name, or a unique prefix of one.")
    String model;

    @Parameters(index = "1..*", paramLabel = "PROMPT", description = "A prompt; without one, read prompts from input.")
    List<String> prompt;

    @Option(names = "--max-tokens", defaultValue = "256", description = "Tokens per answer (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Override
    public Integer call() throws IOException {
        String id = client().resolve(model);
        ArrayNode messages = Json.MAPPER.createArrayNode();
        if (prompt != null && !prompt.isEmpty()) {
            answer(id, messages, String.join(" ", prompt));
            return ExitCodes.OK;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (true) {
            spec.commandLine().getErr().print(">>> ");
            spec.commandLine().getErr().flush();
            String line = in.readLine();
            if (line == null || line.strip().equals("/bye")) {
                return ExitCodes.OK;
            }
            if (!line.isBlank()) {
                answer(id, messages, line);
            }
        }
    }

    private void answer(String id, ArrayNode messages, String text) {
        messages.addObject().put("role", "user").put("content", text);
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", id).put("stream", true).put("max_tokens", maxTokens);
        body.set("messages", messages);
        StringBuilder reply = new StringBuilder();
        client().stream("/v1/chat/completions", body.toString()).forEach(line -> {
            if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                return;
            }
            JsonNode chunk = parse(line.substring(6));
            if (chunk.has("error")) {
                throw new CliException(ExitCodes.REFUSED, chunk.get("error").path("message").asText());
            }
            String piece = chunk.path("choices").path(0).path("delta").path("content").asText("");
            reply.append(piece);
            out().print(piece);
            out().flush();
        });
        out().println();
        messages.addObject().put("role", "assistant").put("content", reply.toString());
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILURE, "the daemon sent something unreadable: " + json);
        }
    }
}
