package io.modeld.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modeld.gguf.TinyLlama;
import io.modeld.gguf.TinyProjector;
import io.modeld.testing.TestImages;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images through llama.cpp's libmtmd (built from the bundled release) on a tiny model and a tiny projector the
 * test writes: an image takes the embeddings its projector's shape says, changes what the model answers, is
 * reused by the next turn like text, and a broken one or a projector made for another model is refused.
 */
class MediaTest {

    @TempDir
    Path dir;

    private record Run(String text, Generation.Result result) {
    }

    private static Run ask(Generator g, LlamaModel model, ChatTemplates templates, Projector projector, String question,
                           List<Media> media) throws EngineException {
        return ask(g, model, templates, projector, question + " " + Media.MARKER.repeat(media.size()), media, "");
    }

    /** The media between {@code before} and {@code after}, which is then all that differs between two turns. */
    private static Run ask(Generator g, LlamaModel model, ChatTemplates templates, Projector projector, String before,
                           List<Media> media, String after) throws EngineException {
        String marked = before + after;
        ChatRequest chat = new ChatRequest(List.of(new ChatTurn(ChatTurn.Role.USER, marked)), null, null, null, null,
                null, null, media);
        StringBuilder out = new StringBuilder();
        Generation.Result[] result = new Generation.Result[1];
        EngineException[] failed = new EngineException[1];
        Generation.Job job = TemplatedChat.job(1, model, model.engine.chat(), templates, projector, chat, 24,
                Sampling.DEFAULT.withTemperature(0), List.of(), true, -1, new OutputSplitter.Parts() {
                    @Override
                    public void text(String piece) {
                        out.append(piece);
                    }

                    @Override
                    public void thinking(String piece) {
                    }

                    @Override
                    public void toolCall(int index, String callId, String name, String arguments) {
                    }
                }, () -> false, r -> result[0] = r, e -> failed[0] = e);
        int[] prompt = job.request().prompt();
        g.start(job);
        while (result[0] == null && failed[0] == null) {
            g.step();
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        assertThat(result[0].promptTokens()).isEqualTo(prompt.length);
        return new Run(out.toString(), result[0]);
    }

    private static Media png(long seed) {
        return new Media(Media.Kind.IMAGE, TestImages.png(48, 40, seed));
    }

    @Test
    void an_image_takes_the_projectors_embeddings_changes_the_answer_and_is_reused_by_the_next_turn() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        Path mmproj = dir.resolve("mmproj-tiny.gguf");
        TinyLlama.CHAT.write(file, 61);
        TinyProjector.CHAT.write(mmproj, 62);
        LlamaEngine engine = EngineTest.engine();
        assertThat(engine.media()).as("the bundled build has libmtmd").isNotNull();
        try (LlamaModel model = engine.loadModel(List.of(file));
             Generator g = Generator.create(model, 1024, 1, 2, KvCache.DEFAULT);
             ChatTemplates templates = engine.chat().templates(model);
             Projector projector = engine.media().open(model, mmproj, 2)) {
            assertThat(projector.vision()).isTrue();
            assertThat(projector.audio()).isFalse();
            try (MediaPrompt p = projector.tokenize("look: " + Media.MARKER + " and " + Media.MARKER + ".",
                    List.of(png(1), png(2)))) {
                assertThat(p.count()).isEqualTo(2);
                long placeholders = Arrays.stream(p.tokens()).filter(t -> t < 0).count();
                assertThat(placeholders).as("(32 / 8 / 2)² embeddings per image")
                        .isEqualTo(2L * TinyProjector.CHAT.tokensPerImage());
                assertThat(p.position(p.tokens().length)).as("one position per embedding (no M-RoPE)")
                        .isEqualTo(p.tokens().length);
            }
            Run first = ask(g, model, templates, projector, "What is in this picture?", List.of(png(1)));
            Run again = ask(g, model, templates, projector, "What is in this picture?", List.of(png(1)));
            assertThat(again.text()).as("greedy: the same image, the same answer").isEqualTo(first.text());
            assertThat(again.result().reusedTokens()).as("the image's embeddings were reused from the slot")
                    .isEqualTo(first.result().promptTokens() - 1);
            Run other = ask(g, model, templates, projector, "What is in this picture?", List.of(png(3)));
            assertThat(other.text()).as("another image, another answer").isNotEqualTo(first.text());
            assertThat(other.result().reusedTokens()).as("reused up to the image, not into it")
                    .isLessThan(first.result().promptTokens() - TinyProjector.CHAT.tokensPerImage());

            byte[] broken = Arrays.copyOf(TestImages.png(48, 40, 4), 60);
            assertThatThrownBy(() -> ask(g, model, templates, projector, "and this?",
                    List.of(new Media(Media.Kind.IMAGE, broken))))
                    .isInstanceOf(EngineException.class).hasMessageContaining("media item 1 could not be decoded");
            assertThatThrownBy(() -> ask(g, model, templates, projector, "a clip",
                    List.of(new Media(Media.Kind.AUDIO, new byte[100]))))
                    .hasMessageContaining("does not hear audio");
            assertThat(ask(g, model, templates, projector, "What is in this picture?", List.of(png(1))).text())
                    .as("the model serves the next request").isEqualTo(first.text());
        }
    }

    @Test
    void a_clip_takes_the_audio_projectors_embeddings_and_changes_the_answer() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        Path mmproj = dir.resolve("mmproj-audio.gguf");
        TinyLlama.CHAT.write(file, 63);
        io.modeld.gguf.TinyAudioProjector.CHAT.write(mmproj, 64);
        LlamaEngine engine = EngineTest.engine();
        try (LlamaModel model = engine.loadModel(List.of(file));
             Generator g = Generator.create(model, 2048, 1, 2, KvCache.DEFAULT);
             ChatTemplates templates = engine.chat().templates(model);
             Projector projector = engine.media().open(model, mmproj, 2)) {
            assertThat(projector.audio()).isTrue();
            assertThat(projector.vision()).isFalse();
            Media low = new Media(Media.Kind.AUDIO, io.modeld.testing.TestClips.tone(1000, 220));
            Media high = new Media(Media.Kind.AUDIO, io.modeld.testing.TestClips.tone(1000, 3000));
            try (MediaPrompt p = projector.tokenize("hear " + Media.MARKER, List.of(low))) {
                assertThat(Arrays.stream(p.tokens()).filter(t -> t < 0).count()).as("one 30-second chunk")
                        .isEqualTo(io.modeld.gguf.TinyAudioProjector.TOKENS_PER_CHUNK);
            }
            Run first = ask(g, model, templates, projector, "What do you hear?", List.of(low));
            Run again = ask(g, model, templates, projector, "What do you hear?", List.of(low));
            assertThat(again.text()).isEqualTo(first.text());
            assertThat(again.result().reusedTokens()).isEqualTo(first.result().promptTokens() - 1);
            assertThatThrownBy(() -> ask(g, model, templates, projector, "see", List.of(png(1))))
                    .hasMessageContaining("does not read images");
            Run other = ask(g, model, templates, projector, "What do you hear?", List.of(high));
            assertThat(other.result().reusedTokens()).isLessThan(first.result().promptTokens() - 700);
        }
    }

    @Test
    void on_an_m_rope_model_an_image_takes_fewer_positions_than_embeddings_and_the_next_turn_goes_on_from_them()
            throws Exception {
        Path file = dir.resolve("tiny-qwen2vl.gguf");
        Path mmproj = dir.resolve("mmproj-qwen2vl.gguf");
        TinyLlama.CHAT.writeQwen2Vl(file, 65);
        io.modeld.gguf.TinyQwenVlProjector.CHAT.write(mmproj, 66);
        LlamaEngine engine = EngineTest.engine();
        try (LlamaModel model = engine.loadModel(List.of(file));
             Generator g = Generator.create(model, 1024, 1, 2, KvCache.DEFAULT);
             ChatTemplates templates = engine.chat().templates(model);
             Projector projector = engine.media().open(model, mmproj, 2)) {
            Media image = new Media(Media.Kind.IMAGE, TestImages.png(48, 40, 11));
            try (MediaPrompt p = projector.tokenize("look " + Media.MARKER + " now", List.of(image))) {
                MediaPrompt.Item item = p.items.get(0);
                assertThat(item.tokens()).as("(48 / 8) x (40 / 8) merged patches").isEqualTo(30);
                assertThat(item.positions()).as("the longer side, in merged patches").isEqualTo(6);
                assertThat(p.position(item.end())).isEqualTo(item.start() + 6);
            }
            Run first = ask(g, model, templates, projector, "What is in this picture?", List.of(image));
            Run again = ask(g, model, templates, projector, "What is in this picture?", List.of(image));
            assertThat(again.text()).isEqualTo(first.text());
            assertThat(again.result().reusedTokens()).isEqualTo(first.result().promptTokens() - 1);
            // a longer question after the same image: the image is reused, the text after it decoded at its positions
            Run shown = ask(g, model, templates, projector, "Look: " + Media.MARKER, List.of(image), " What is it?");
            Run asked = ask(g, model, templates, projector, "Look: " + Media.MARKER, List.of(image), " And why?");
            int imageEnd;
            try (MediaPrompt p = projector.tokenize(templates.apply(new ChatRequest(List.of(new ChatTurn(
                    ChatTurn.Role.USER, "Look: " + Media.MARKER + " And why?")), null, null, null, null, null, null,
                    List.of(image)).toJson().toString()).path("prompt").asText(), List.of(image))) {
                imageEnd = p.items.get(0).end();
            }
            assertThat(asked.result().reusedTokens()).as("through the image, into the text after it")
                    .isGreaterThanOrEqualTo(imageEnd).isLessThan(asked.result().promptTokens() - 1);
            assertThat(shown.text()).isNotNull();
        }
    }

    @Test
    void a_projector_made_for_another_model_is_refused_and_a_text_only_model_refuses_images() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        Path wrong = dir.resolve("mmproj-wide.gguf");
        TinyLlama.CHAT.write(file, 61);
        new TinyProjector(32, 8, 2, 16, 24, 48).write(wrong, 62);
        LlamaEngine engine = EngineTest.engine();
        try (LlamaModel model = engine.loadModel(List.of(file));
             Generator g = Generator.create(model, 512, 1, 2, KvCache.DEFAULT);
             ChatTemplates templates = engine.chat().templates(model)) {
            assertThatThrownBy(() -> engine.media().open(model, wrong, 2)).isInstanceOf(EngineException.class)
                    .extracting(e -> ((EngineException) e).kind()).isEqualTo(EngineException.Kind.INPUT);
            assertThatThrownBy(() -> ask(g, model, templates, null, "see", List.of(png(1))))
                    .hasMessageContaining("reads text only");
        }
    }
}
