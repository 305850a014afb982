// The in-process half of bench/chat.sh: how long llama.cpp's chat layer, called through modeld's shim, takes
// per request, for templates of the corpus (run with the jar and the test classes on the class path):
//   java -cp target/modeld.jar:target/test-classes bench/ChatBench.java RUNS TEMPLATE...
// For each template: "render_us": rendering an 8-message tool conversation with 4 tools (prompt, grammar,
// triggers, parser); "parse_whole_us": parsing a 2,000-character answer ending in a tool call, in the
// family's own format, at once;
// "parse_streamed_ms": parsing it as a stream of 500 four-character pieces (the parser reads the whole text
// at every piece, as llama-server's does) - medians of RUNS after a warm-up.
import io.modeld.engine.ChatLayer;
import io.modeld.engine.ChatParser;
import io.modeld.engine.ChatTemplates;
import io.modeld.engine.LlamaEngine;
import io.modeld.engine.LlamaModel;
import io.modeld.engine.NativeBundle;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.AgentModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class ChatBench {

    static final String TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"%s\",\"description\":\"Tool %s\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"days\":"
            + "{\"type\":\"integer\"}},\"required\":[\"city\"]}}}";

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("chat-bench");
        NativeBundle.useJnaFrom(dir);
        LlamaEngine engine = LlamaEngine.load(NativeBundle.llamaDir(dir), false);
        ChatLayer layer = engine.chat();
        List<String> tools = new ArrayList<>();
        for (String name : List.of("get_weather", "get_time", "search", "send_mail")) {
            tools.add(String.format(TOOL, name, name));
        }
        String toolCall = "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"abc123XYZ\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}]}";
        String request = "{\"tools\":[" + String.join(",", tools) + "],\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Hello!\"},{\"role\":\"assistant\",\"content\":\"Hi. How can I help?\"},"
                + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"}," + toolCall + ","
                + "{\"role\":\"tool\",\"tool_call_id\":\"abc123XYZ\",\"content\":\"{\\\"temperature\\\": 21}\"},"
                + "{\"role\":\"assistant\",\"content\":\"It is 21 degrees.\"},{\"role\":\"user\",\"content\":\"And tomorrow?\"}]}";
        String prose = "Let me look that up. ".repeat(95);
        String call = "{\"city\": \"Paris\", \"days\": 1}";
        java.util.Map<String, String> answers = java.util.Map.of(
                "Qwen-Qwen3-0.6B", prose + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": " + call + "}\n</tool_call>",
                "meta-llama-Llama-3.1-8B-Instruct", prose + "{\"name\": \"get_weather\", \"parameters\": " + call + "}",
                "openai-gpt-oss-120b", "<|channel|>analysis<|message|>" + prose + "<|end|><|start|>assistant<|channel|>"
                        + "commentary to=functions.get_weather <|constrain|>json<|message|>" + call,
                "llama-cpp-deepseek-r1", prose + "</think><\uff5ctool\u2581calls\u2581begin\uff5c><\uff5ctool\u2581call"
                        + "\u2581begin\uff5c>function<\uff5ctool\u2581sep\uff5c>get_weather\n```json\n" + call
                        + "```<\uff5ctool\u2581call\u2581end\uff5c><\uff5ctool\u2581calls\u2581end\uff5c>",
                "mistralai-Mistral-Nemo-Instruct-2407", prose + "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": "
                        + call + ", \"id\": \"123456789\"}]");
        System.out.println("template render_us parse_whole_us parse_streamed_ms");
        for (int t = 1; t < args.length; t++) {
            Path file = dir.resolve("m" + t + ".gguf");
            TinyLlama.TINY.write(file, 1, AgentModels.template(args[t]));
            try (LlamaModel model = engine.loadModel(List.of(file)); ChatTemplates templates = layer.templates(model)) {
                String applied = templates.apply(request).toString();
                String answer = answers.get(args[t]);
                long[] render = new long[runs];
                long[] whole = new long[runs];
                long[] streamed = new long[runs];
                for (int r = -1; r < runs; r++) {
                    long t0 = System.nanoTime();
                    templates.apply(request);
                    long t1 = System.nanoTime();
                    try (ChatParser p = layer.parser(applied, true, true)) {
                        p.add(answer, false);
                    }
                    long t2 = System.nanoTime();
                    try (ChatParser p = layer.parser(applied, true, true)) {
                        for (int i = 0; i < answer.length(); i += 4) {
                            p.add(answer.substring(i, Math.min(answer.length(), i + 4)), true);
                        }
                        p.add("", false);
                    }
                    long t3 = System.nanoTime();
                    if (r >= 0) {
                        render[r] = t1 - t0;
                        whole[r] = t2 - t1;
                        streamed[r] = t3 - t2;
                    }
                }
                System.out.printf("%s %d %d %.1f%n", args[t], median(render) / 1000, median(whole) / 1000,
                        median(streamed) / 1e6);
            }
        }
    }

    static long median(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
