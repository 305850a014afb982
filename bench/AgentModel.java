import io.modeld.gguf.ScriptedLlama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the scripted model of bench/agents.sh: a one-layer llama with Qwen3's template (from the release's
 * corpus) that calls Claude Code's Bash tool once and, when its result is in the conversation, answers.
 * Usage: java -cp target/modeld.jar:target/test-classes bench/AgentModel.java OUT.gguf
 */
public class AgentModel {
    public static void main(String[] args) throws Exception {
        String template = Files.readString(Path.of("target/native-chat/llama-src/models/templates/Qwen-Qwen3-0.6B.jinja"));
        List<String> specials = List.of("<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>", "<think>",
                "</think>", "<tool_response>", "</tool_response>");
        new ScriptedLlama(template, specials, "\n", List.of("<tool_call>", "\n{\"name\": \"", "Bash",
                "\", \"arguments\": {\"command\": \"", "echo done > proof.txt", "\"}}\n", "</tool_call>"),
                "<tool_response>", List.of("The file ", "is written", ".")).write(Path.of(args[0]));
    }
}
