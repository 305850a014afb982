package io.modeld.fault;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.config.Config;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.AgentModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runner stuck in one step (issue 29, finding 1), scaled down: a model whose template loops for ever on one
 * input, with a step limit of 2 s. The request fails with words naming the step and the limit, the daemon and
 * every other model keep answering meanwhile, and the stuck model serves the next request in a new runner.
 */
class StuckStepTest {

    /** Loops 10^10 times when a message says "spin"; renders ChatML otherwise. */
    static final String SPIN = "{%- for m in messages -%}{%- if m.content == 'spin' -%}{%- for i in range(100000) -%}"
            + "{%- for j in range(100000) -%}{%- endfor -%}{%- endfor -%}{%- endif -%}"
            + "<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{%- endfor -%}"
            + "{%- if add_generation_prompt -%}<|im_start|>assistant\n{%- endif -%}";

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().stepTimeout(Duration.ofSeconds(2)).build());
    @TempDir
    Path dir;

    private static String chat(String model, String text) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\""
                + text + "\"}]}";
    }

    @Test
    void a_template_that_loops_fails_its_request_and_nothing_else_stalls() throws Exception {
        Path file = dir.resolve("spin.gguf");
        TinyLlama.CHAT.write(file, 1, SPIN);
        Downloading.downloaded(daemon, file, "spin");
        AgentModels.hello(daemon, dir, "other");
        assertThat(ok(daemon.post("/v1/chat/completions", chat("spin", "hi"))).at("/choices/0/finish_reason").asText())
                .isNotEmpty();

        CompletableFuture<HttpResponse<String>> stuck = CompletableFuture.supplyAsync(
                () -> daemon.post("/v1/chat/completions", chat("spin", "spin")));
        CompletableFuture<HttpResponse<String>> render = CompletableFuture.supplyAsync(
                () -> daemon.post("/apply-template", chat("spin", "spin")));
        // while the spin model's runner is stuck, the daemon and the other model answer
        while (!stuck.isDone()) {
            assertThat(daemon.get("/.well-known/health").statusCode()).isEqualTo(200);
            JsonNode other = ok(daemon.post("/v1/chat/completions", chat("other", "hi")));
            assertThat(other.at("/choices/0/message/content").asText()).isEqualTo("Hello, world!");
        }

        // whichever of the two stuck first is told its step took too long; the other that its runner was ended
        HttpResponse<String> failed = stuck.get();
        HttpResponse<String> rendered = render.get();
        assertThat(List.of(failed.statusCode(), rendered.statusCode())).contains(422).allMatch(c -> c == 422 || c == 503);
        for (HttpResponse<String> r : List.of(failed, rendered)) {
            assertThat(Json.MAPPER.readTree(r.body()).at("/error/message").asText()).as(r.body())
                    .contains("took more than 2 s").contains(r.statusCode() == 422 ? "--step-timeout" : "send this request again");
        }

        // the model serves again, in a new runner
        assertThat(ok(daemon.post("/v1/chat/completions", chat("spin", "hi"))).at("/choices/0/finish_reason").asText())
                .isNotEmpty();
    }

    @Test
    void closing_the_daemon_ends_a_runner_stuck_in_a_step() throws Exception {
        Path file = dir.resolve("spin.gguf");
        TinyLlama.CHAT.write(file, 1, SPIN);
        long pid;
        // a limit far past the test: only closing ends this runner
        try (TestDaemon slow = TestDaemon.start(Config.forDataDir(dir.resolve("data")).toBuilder()
                .stepTimeout(Duration.ofMinutes(10)).build())) {
            Downloading.downloaded(slow, file, "spin");
            ok(slow.post("/api/generate", "{\"model\":\"spin\",\"keep_alive\":-1}"));
            pid = ok(slow.get("/memory")).at("/loaded/0/pid").asLong();
            CompletableFuture.runAsync(() -> slow.post("/apply-template", chat("spin", "spin")));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.of(pid)
                    .flatMap(p -> p.info().totalCpuDuration()).orElse(Duration.ZERO).toMillis() > 3000);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("runner " + pid).isFalse();
    }
}
