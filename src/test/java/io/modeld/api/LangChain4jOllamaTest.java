package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** LangChain4j's Ollama module, a JVM client written by others, chatting and embedding through the Ollama listener. */
class LangChain4jOllamaTest {

    static final int OLLAMA_PORT = OllamaClientTest.freePort();

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().ollamaPort(OLLAMA_PORT).build());
    @TempDir
    Path files;

    @Test
    void langchain4j_chats_and_embeds_through_the_ollama_port() throws Exception {
        Downloading.tinyModel(daemon, files, "tiny", 1);
        Path embedder = files.resolve("embedder.gguf");
        TinyModels.bertEmbedder(embedder, 2);
        Downloading.downloaded(daemon, embedder, "embedder");
        String base = "http://127.0.0.1:" + OLLAMA_PORT;

        OllamaChatModel chat = OllamaChatModel.builder().baseUrl(base).modelName("tiny").numPredict(6).seed(1)
                .temperature(0.5).timeout(Duration.ofSeconds(60)).build();
        ChatResponse response = chat.chat(dev.langchain4j.data.message.UserMessage.from("Hello"));
        assertThat(response.aiMessage().text()).isNotNull();
        assertThat(response.tokenUsage().outputTokenCount()).isBetween(1, 6);
        assertThat(response.tokenUsage().inputTokenCount()).isGreaterThan(10);

        OllamaEmbeddingModel embeddings = OllamaEmbeddingModel.builder().baseUrl(base).modelName("embedder")
                .timeout(Duration.ofSeconds(60)).build();
        Embedding e = embeddings.embed("a sentence to embed").content();
        assertThat(e.dimension()).isEqualTo(64);
        double norm = 0;
        for (float x : e.vector()) {
            norm += x * x;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
}
