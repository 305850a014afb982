package io.modeld.testing;

import io.modeld.gguf.ScriptedLlama;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Scripted models (see {@link ScriptedLlama}) with real models' chat templates from llama.cpp's corpus, for
 * the agent tests: each calls {@code get_weather} for Paris in its family's format, and the Qwen3 one answers
 * "It is 21 degrees." once a tool's answer is in the conversation; the thinker thinks, then answers.
 */
public final class AgentModels {

    /** llama.cpp's reference templates, from the source release the build compiles the chat layer against. */
    public static final Path TEMPLATES = Path.of("target", "native-chat", "llama-src", "models", "templates");
    /** What the Qwen3 agent answers once it has read a tool's result. */
    public static final String ANSWER = "It is 21 degrees.";

    private static final List<String> QWEN_SPECIALS = List.of("<|im_start|>", "<|im_end|>", "<tool_call>",
            "</tool_call>", "<think>", "</think>", "<tool_response>", "</tool_response>");

    private AgentModels() {
    }

    /** A Qwen3 model (Hermes-style {@code <tool_call>}) that calls the tool, then answers with its result. */
    public static String qwen3(TestDaemon daemon, Path dir, String name) throws Exception {
        return write(daemon, dir, name, new ScriptedLlama(template("Qwen-Qwen3-0.6B"), QWEN_SPECIALS, "\n",
                List.of("<tool_call>", "\n{\"name\": \"", "get_weather", "\", \"arguments\": {\"city\": \"", "Paris",
                        "\"}}\n", "</tool_call>"),
                "<tool_response>", List.of("It is ", "21 degrees", ".")));
    }

    /**
     * A Qwen3 model for coding agents: it calls the shell tool {@code tool} (Claude Code's {@code Bash}, whose
     * argument is {@code command}; Codex's {@code exec_command}, whose argument is {@code cmd}) with
     * {@code command}, then, once the tool's answer is in the conversation, says {@link #AGENT_DONE}.
     */
    public static String shellAgent(TestDaemon daemon, Path dir, String name, String tool, String argument,
                                    String command) throws Exception {
        return write(daemon, dir, name, new ScriptedLlama(template("Qwen-Qwen3-0.6B"), QWEN_SPECIALS, "\n",
                List.of("<tool_call>", "\n{\"name\": \"", tool, "\", \"arguments\": {\"" + argument + "\": \"", command,
                        "\"}}\n", "</tool_call>"),
                "<tool_response>", List.of("The file ", "is written", ".")));
    }

    /** What {@link #shellAgent} says once it has read its command's output. */
    public static final String AGENT_DONE = "The file is written.";

    /** A Qwen3 model that thinks ({@code <think>Let me think.</think>}) and then says "Hello." */
    public static String thinker(TestDaemon daemon, Path dir, String name) throws Exception {
        return write(daemon, dir, name, new ScriptedLlama(template("Qwen-Qwen3-0.6B"), QWEN_SPECIALS, "\n",
                List.of("<think>", "Let me think.", "</think>", "\n\n", "Hello."), null, List.of()));
    }

    /** A Llama 3.1 model: its calls are bare JSON with {@code parameters}. */
    public static String llama3(TestDaemon daemon, Path dir, String name) throws Exception {
        return write(daemon, dir, name, new ScriptedLlama(template("meta-llama-Llama-3.1-8B-Instruct"),
                List.of("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
                        "<|eom_id|>", "<|python_tag|>"),
                "\n", List.of("{\"name\": \"", "get_weather", "\", \"parameters\": {\"city\": \"", "Paris", "\"}}"),
                null, List.of()));
    }

    /** A gpt-oss model: its calls go to the commentary channel, addressed to {@code functions.get_weather}. */
    public static String gptOss(TestDaemon daemon, Path dir, String name) throws Exception {
        return write(daemon, dir, name, new ScriptedLlama(template("openai-gpt-oss-120b"),
                List.of("<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|return|>",
                        "<|call|>"),
                "t", List.of("<|channel|>", "commentary to=functions.get_weather", " ", "<|constrain|>", "json",
                        "<|message|>", "{\"city\": \"Paris\"}"),
                null, List.of()));
    }

    /** A ChatML model that says "Hello, world!" in four tokens, whatever it is asked. */
    public static String hello(TestDaemon daemon, Path dir, String name) throws Exception {
        return write(daemon, dir, name, new ScriptedLlama(io.modeld.gguf.TinyLlama.CHATML, List.of(), "\n",
                List.of("Hello", ", ", "world", "!"), null, List.of()));
    }

    /** The text of a template of the corpus. */
    public static String template(String name) throws IOException {
        return Files.readString(TEMPLATES.resolve(name + ".jinja"));
    }

    private static String write(TestDaemon daemon, Path dir, String name, ScriptedLlama model) throws Exception {
        Path file = dir.resolve(name + ".gguf");
        model.write(file);
        return Downloading.downloaded(daemon, file, name);
    }
}
