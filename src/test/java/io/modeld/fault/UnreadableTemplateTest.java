package io.modeld.fault;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.AgentModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Templates that cannot be read (issue 29, finding 4), scaled down: one that loops on any input and one that
 * grows its values without end. Each is read once, in a checking runner within the budget and its limits
 * (2 s, 256 MB), not in the spare runner and not when a listing asks; its model is then unusable with the
 * reason on every door, and the daemon and another model serve throughout.
 */
class UnreadableTemplateTest {

    static final String LOOP = "{%- for i in range(100000) -%}{%- for j in range(100000) -%}{%- endfor -%}{%- endfor -%}"
            + "{%- for m in messages -%}{{ m.content }}{%- endfor -%}";
    /** The probe's: a list of 10^8 numbers, 400 MB a second until the machine's memory ends. */
    static final String GROWS = "{%- for i in range(100000000) -%}{%- endfor -%}"
            + "{%- for m in messages -%}{{ m.content }}{%- endfor -%}";

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest(c -> c.toBuilder().stepTimeout(Duration.ofSeconds(2)).build());
    @TempDir
    Path dir;

    private String model(String name, String template) throws Exception {
        Path file = dir.resolve(name + ".gguf");
        TinyLlama.CHAT.write(file, 1, template);
        return Downloading.downloaded(daemon, file, name);
    }

    @Test
    void a_template_that_loops_makes_its_model_unusable_on_every_door_and_nothing_else_stalls() throws Exception {
        AgentModels.hello(daemon, dir, "other");
        String loops = model("loops", LOOP);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(daemon.get("/.well-known/health").statusCode()).isEqualTo(200);
            assertThat(ok(daemon.get("/model/" + loops)).path("unusable").asText()).contains("chat template");
        });
        assertThat(ok(daemon.get("/model/" + loops)).get("unusable").asText()).contains("took more than 2 s");

        HttpResponse<String> chat = daemon.post("/v1/chat/completions", "{\"model\":\"loops\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(chat.statusCode()).isEqualTo(422);
        assertThat(Json.MAPPER.readTree(chat.body()).at("/error/message").asText())
                .contains("model 'loops' cannot be used: its chat template");
        assertThat(daemon.post("/model/loops/load", "").statusCode()).isEqualTo(422);
        JsonNode tag = null;
        for (JsonNode t : ok(daemon.get("/api/tags")).get("models")) {
            if (t.get("name").asText().startsWith("loops:")) {
                tag = t;
            }
        }
        assertThat(tag).isNotNull();
        assertThat(tag.path("unusable").asText()).contains("chat template");
        assertThat(ok(daemon.post("/api/show", "{\"model\":\"loops\"}")).path("unusable").asText())
                .contains("chat template");
        JsonNode listed = null;
        for (JsonNode m : ok(daemon.get("/v1/models")).get("data")) {
            if (m.get("id").asText().equals("loops")) {
                listed = m;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.path("unusable").asText()).contains("chat template");
        assertThat(ok(daemon.get("/memory")).get("loaded")).as("no runner holds it").isEmpty();
        JsonNode answer = ok(daemon.post("/v1/chat/completions", "{\"model\":\"other\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Hello, world!");
    }

    @Test
    void a_template_that_grows_without_end_stops_at_the_checks_memory_and_its_model_is_unusable() throws Exception {
        // a step limit far past the test: only the memory limit can end this check
        try (TestDaemon slow = TestDaemon.start(io.modeld.config.Config.forDataDir(dir.resolve("data")).toBuilder()
                .stepTimeout(Duration.ofMinutes(10)).build())) {
            Path file = dir.resolve("grows.gguf");
            TinyLlama.CHAT.write(file, 1, GROWS);
            String grows = Downloading.downloaded(slow, file, "grows");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(ok(slow.get("/model/" + grows))
                    .path("unusable").asText()).contains("256 MB"));
            assertThat(slow.post("/v1/chat/completions", "{\"model\":\"grows\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(422);
        }
    }

    @Test
    void a_template_read_once_is_not_read_again_after_a_restart() throws Exception {
        AgentModels.hello(daemon, dir, "hello");
        await().atMost(Duration.ofSeconds(30)).until(() -> checks() == 1);
        daemon.restart();
        ok(daemon.post("/v1/chat/completions", "{\"model\":\"hello\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(checks()).as("checks in the new daemon's log").isZero();
    }

    /** Template checks the daemon's log tells of since it started. */
    private long checks() {
        long n = 0;
        for (JsonNode line : ok(daemon.get("/logs?lines=1000")).path("lines")) {
            if (line.asText().contains("read a chat template")) {
                n++;
            }
        }
        return n;
    }
}
