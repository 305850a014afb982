package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.service.AiServices;
import io.modeld.testing.AgentModels;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's AiServices, an agent loop written by others, on the Ollama port: it offers a {@code @Tool}
 * method, runs it when the model calls it, sends the result back and returns the model's final answer. The
 * scripted Qwen3 model answers "It is 21 degrees." only once the tool's result is in its prompt.
 */
class LangChain4jAgentTest {

    static final int OLLAMA_PORT = OllamaClientTest.freePort();

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().ollamaPort(OLLAMA_PORT).build());
    @TempDir
    Path files;

    interface Assistant {
        String chat(String message);
    }

    static final class Weather {
        final List<String> cities = new CopyOnWriteArrayList<>();

        @Tool(name = "get_weather", value = "The weather in a city")
        String getWeather(@P(name = "city", value = "the city") String city) {
            cities.add(city);
            return "{\"temperature\": 21}";
        }
    }

    @Test
    void an_aiservices_agent_runs_its_tool_and_answers_with_the_result() throws Exception {
        AgentModels.qwen3(daemon, files, "qwen3-agent");
        OllamaChatModel model = OllamaChatModel.builder().baseUrl("http://127.0.0.1:" + OLLAMA_PORT)
                .modelName("qwen3-agent").timeout(Duration.ofSeconds(60)).build();
        Weather weather = new Weather();
        Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(weather).build();

        String answer = assistant.chat("What is the weather in Paris?");

        assertThat(weather.cities).containsExactly("Paris");
        assertThat(answer).isEqualTo(AgentModels.ANSWER);
    }
}
