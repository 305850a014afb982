package io.modeld.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.Modelfile;
import io.modeld.engine.ChatTurn;
import io.modeld.runtime.RunnerRequest;
import io.modeld.testing.CoreFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference core on fake runners and a real store, in milliseconds: names, roles, the one options merge
 * with a Modelfile, the model's system prompt, and the caps every door shares. What each test checks is what
 * reached the runner ({@code fakes.requests}), or that nothing did.
 */
class InferenceTest {

    @TempDir
    Path root;
    private CoreFixture core;
    private Inference inference;

    @BeforeEach
    void start() throws Exception {
        core = new CoreFixture(root, Clock.systemUTC(), 1L << 30, null);
        inference = core.inference();
    }

    @AfterEach
    void stop() {
        core.close();
    }

    private static Prompt chat(String... turns) {
        List<ChatTurn> list = new java.util.ArrayList<>();
        for (int i = 0; i < turns.length; i += 2) {
            list.add(new ChatTurn(ChatTurn.Role.of(turns[i]), turns[i + 1]));
        }
        return Prompt.chat(list);
    }

    private RunnerRequest last() {
        return core.fakes.requests.get(core.fakes.requests.size() - 1);
    }

    @Test
    void a_model_answers_to_its_id_its_unique_name_and_its_ollama_name_whatever_their_case() throws Exception {
        String id = core.model("My-Model", 1);
        for (String name : new String[] {id, "My-Model", "my-model:latest", "MY-MODEL", "registry.ollama.ai/library/my-model"}) {
            assertThat(inference.model(name).id()).as(name).isEqualTo(id);
        }
        assertThatThrownBy(() -> inference.model("nobody")).isInstanceOfSatisfying(ModeldException.class,
                e -> assertThat(e.kind()).isEqualTo(ModeldException.Kind.UNKNOWN_MODEL));
    }

    @Test
    void a_model_of_another_role_is_refused_before_any_runner_starts() throws Exception {
        ObjectNode embedder = Json.MAPPER.createObjectNode().put("name", "e").put("unique", "e").put("usage", "TEXT_EMBEDDING");
        core.model(embedder, 2);
        assertThatThrownBy(() -> inference.generate(new GenerationRequest("e", chat("user", "hi"), Options.NONE, null,
                false), piece -> { })).isInstanceOfSatisfying(ModeldException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ModeldException.Kind.INVALID);
                    assertThat(e.getMessage()).contains("is an embedder").contains("not a generator");
                });
        assertThat(core.fakes.started()).isEmpty();
    }

    @Test
    void defaults_then_the_modelfile_then_the_request_make_one_set_of_options() throws Exception {
        Modelfile mf = new Modelfile(null, "You are a pirate.", Map.of("temperature", 0.3, "num_predict", "5",
                "stop", List.of("Arr"), "top_k", 11), null);
        core.model(Json.MAPPER.createObjectNode().put("name", "p").put("unique", "p"), 3, mf);
        Options request = new Options(null, 22, null, null, null, 9L, null, null, null, null, null, null, null, null);
        assertThat(inference.generate(new GenerationRequest("p", chat("user", "hi"), request, null, false),
                piece -> { }).tokens()).isEqualTo(5);
        RunnerRequest r = last();
        assertThat(r.sampling().temperature()).as("the Modelfile's").isEqualTo(0.3f);
        assertThat(r.sampling().topK()).as("the request's over the Modelfile's").isEqualTo(22);
        assertThat(r.sampling().topP()).as("the default").isEqualTo(0.9f);
        assertThat(r.sampling().seed()).isEqualTo(9L);
        assertThat(r.maxTokens()).isEqualTo(5);
        assertThat(r.stop()).containsExactly("Arr");
        assertThat(r.chat().messages()).extracting(ChatTurn::content).containsExactly("You are a pirate.", "hi");
        // a conversation with its own system prompt keeps it alone
        inference.generate(new GenerationRequest("p", chat("system", "Be brief.", "user", "hi"), Options.NONE, null,
                false), piece -> { });
        assertThat(last().chat().messages()).extracting(ChatTurn::content).containsExactly("Be brief.", "hi");
    }

    @Test
    void without_a_limit_a_generation_runs_until_the_model_stops_and_ignore_eos_reaches_the_runner() throws Exception {
        core.model("u", 4);
        core.fakes.free = true;
        inference.generate(new GenerationRequest("u", new Prompt.Text("Once", null),
                new Options(null, null, null, null, null, null, null, null, null, null, 3, null, null, null), null, true),
                piece -> { });
        assertThat(last().prompt()).isEqualTo("Once");
        assertThat(last().maxTokens()).isEqualTo(3);
        assertThat(last().ignoreEos()).isTrue();
        assertThat(last().chat()).isNull();
    }

    @Test
    void inputs_past_the_caps_every_door_shares_are_refused_before_loading() throws Exception {
        ObjectNode embedder = Json.MAPPER.createObjectNode().put("name", "e").put("unique", "e").put("usage", "TEXT_EMBEDDING");
        core.model(embedder, 5);
        List<String> many = java.util.Collections.nCopies(Inference.MAX_INPUTS + 1, "x");
        assertThatThrownBy(() -> inference.embed(new EmbeddingRequest("e", many, null, true, true, 0, Options.NONE,
                null))).hasMessageContaining("at most " + Inference.MAX_INPUTS);
        assertThat(core.fakes.started()).isEmpty();
    }

    @Test
    void a_prompt_longer_than_its_context_can_hold_never_reaches_the_runner() throws Exception {
        core.model("c", 6);
        String huge = "a".repeat(256 * Inference.MAX_CHARS_PER_TOKEN + 1);
        assertThatThrownBy(() -> inference.generate(new GenerationRequest("c", new Prompt.Text(huge, null),
                new Options(null, null, null, null, null, null, null, null, null, null, null, 256, null, null), null,
                false), piece -> { })).isInstanceOfSatisfying(ModeldException.class, e -> assertThat(e.getMessage())
                .contains(huge.length() + " characters").contains("context of 256 tokens"));
        assertThat(core.fakes.requests).isEmpty();
    }
}
