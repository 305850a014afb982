package io.modeld.api;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.config.Config;
import io.modeld.gguf.TinyLlama;
import io.modeld.gguf.TinyProjector;
import io.modeld.testing.FileServer;
import io.modeld.testing.TestDaemon;
import io.modeld.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --media-urls}: a daemon started with it fetches an image a client names by an http URL (from a server on
 * loopback here) and reads it as it reads a data URL; what the server refuses is a 400 naming the URL's field.
 * Without it the same request is a 400 (media-clients.test.mjs).
 */
class MediaUrlsTest {

    @TempDir
    Path home;

    private static ObjectNode ask(String model, String url, boolean text) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", model).put("max_tokens", 2).put("temperature", 0);
        var content = body.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "image_url").putObject("image_url").put("url", url);
        content.addObject().put("type", "text").put("text", text ? "What is this?" : "And this?");
        return body;
    }

    @Test
    void a_daemon_started_with_media_urls_fetches_the_image_a_client_names() throws Exception {
        Path folder = Files.createDirectories(home.resolve("models"));
        TinyLlama.CHAT.write(folder.resolve("seer.gguf"), 95);
        TinyProjector.CHAT.write(folder.resolve("mmproj-seer.gguf"), 96);
        byte[] png = TestImages.png(40, 30, 9);
        Config config = Config.forDataDir(home.resolve("data")).toBuilder().library(List.of(folder.toString()))
                .mediaUrls(true).build();
        try (FileServer images = FileServer.start().serve("/cat.png", png);
             TestDaemon daemon = TestDaemon.start(config)) {
            String model = TestDaemon.ok(daemon.get("/api/tags")).get("models").get(0).get("name").asText();
            JsonNode byUrl = ok(daemon.post("/v1/chat/completions", ask(model, images.uri("/cat.png").toString(), true)));
            JsonNode inline = ok(daemon.post("/v1/chat/completions", ask(model, "data:image/png;base64,"
                    + java.util.Base64.getEncoder().encodeToString(png), true)));
            assertThat(byUrl.at("/usage/prompt_tokens").asInt())
                    .isGreaterThan(TinyProjector.CHAT.tokensPerImage())
                    .isEqualTo(inline.at("/usage/prompt_tokens").asInt());
            assertThat(inline.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                    .as("the same bytes: the image fetched is the image sent")
                    .isEqualTo(inline.at("/usage/prompt_tokens").asInt() - 1);
            var missing = daemon.post("/v1/chat/completions", ask(model, images.uri("/nothing.png").toString(), false));
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(missing.body()).contains("messages[0].content[0].image_url.url").contains("answered 404");
        }
    }
}
