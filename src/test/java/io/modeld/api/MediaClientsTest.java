package io.modeld.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.config.Config;
import io.modeld.gguf.TinyLlama;
import io.modeld.gguf.TinyProjector;
import io.modeld.testing.AgentModels;
import io.modeld.testing.NodeTests;
import io.modeld.testing.TestDaemon;
import io.modeld.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images and clips on every door through real clients (src/test/node/media-clients.test.mjs): a tiny chat model and
 * the tiny projector beside it in a library folder (found as llama.cpp's users lay them out: {@code mmproj-*.gguf} next
 * to the model), a tiny model with an audio projector in a folder of its own, a text-only model beside them, and
 * images and clips the test makes.
 */
class MediaClientsTest {

    @TempDir
    Path home;

    @Test
    void images_reach_the_model_through_openai_ollama_js_and_the_anthropic_sdk() throws Exception {
        Path folder = Files.createDirectories(home.resolve("models"));
        TinyLlama.CHAT.write(folder.resolve("tiny-vision.gguf"), 71);
        TinyProjector.CHAT.write(folder.resolve("mmproj-tiny-vision-f32.gguf"), 72);
        Path hear = Files.createDirectories(folder.resolve("hear"));
        TinyLlama.CHAT.write(hear.resolve("tiny-hearing.gguf"), 73);
        io.modeld.gguf.TinyAudioProjector.CHAT.write(hear.resolve("mmproj-tiny-hearing.gguf"), 74);
        Path images = Files.createDirectories(home.resolve("images"));
        Files.write(images.resolve("a.png"), TestImages.png(64, 48, 1));
        Files.write(images.resolve("b.png"), TestImages.png(64, 48, 2));
        Files.write(images.resolve("huge.png"), TestImages.png(20_000, 20, 3));
        Files.write(images.resolve("broken.png"), Arrays.copyOf(TestImages.png(64, 48, 4), 80));
        Files.write(images.resolve("clip.wav"), wav());
        Files.write(images.resolve("tone.wav"), io.modeld.testing.TestClips.tone(1500, 440));
        Files.write(images.resolve("tone2.wav"), io.modeld.testing.TestClips.tone(1200, 660));
        Config config = Config.forDataDir(home.resolve("data")).toBuilder().library(List.of(folder.toString())).build();
        try (TestDaemon daemon = TestDaemon.start(config)) {
            String text = AgentModels.hello(daemon, home, "text-only");
            String vision = null;
            String hearing = null;
            for (JsonNode m : TestDaemon.ok(daemon.get("/api/tags")).get("models")) {
                if (m.get("name").asText().contains("tiny-vision")) {
                    vision = m.get("name").asText();
                }
                if (m.get("name").asText().contains("tiny-hearing")) {
                    hearing = m.get("name").asText();
                }
            }
            assertThat(hearing).as("the model in the library's hear/ folder").isNotNull();
            assertThat(vision).as("the library folder's model in " + daemon.get("/api/tags").body()).isNotNull();
            String id = null;
            for (JsonNode m : TestDaemon.ok(daemon.get("/models")).get("iterable")) {
                if (m.get("name").asText().equals("tiny-vision.gguf")) {
                    id = m.get("id").asText();
                }
            }
            NodeTests.run("media-clients.test.mjs", Map.of("MODELD_URL", "http://127.0.0.1:" + daemon.port(),
                    "VISION_MODEL", vision, "VISION_ID", id, "TEXT_MODEL", text, "HEARING_MODEL", hearing,
                    "TOKENS_PER_CLIP", String.valueOf(io.modeld.gguf.TinyAudioProjector.TOKENS_PER_CHUNK),
                    "IMAGES", images.toString(),
                    "TOKENS_PER_IMAGE", String.valueOf(TinyProjector.CHAT.tokensPerImage())), 6, home);
        }
    }

    /** A tenth of a second of silence, 16 kHz mono WAV. */
    private static byte[] wav() {
        int samples = 1600;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + samples * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(16000).putInt(32000).putShort((short) 2)
                .putShort((short) 16).put("data".getBytes()).putInt(samples * 2);
        return b.array();
    }
}
