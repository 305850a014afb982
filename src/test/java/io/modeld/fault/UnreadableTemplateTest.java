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
    void a_template_that_loops_or_grows_makes_its_model_unusable_on_every_door_and_nothing_else_stalls()
            throws Exception {
        String other = AgentModels.hello(daemon, dir, "other");
        String loops = model("loops", LOOP);
        String grows = model("grows", GROWS);
        for (String id : new String[] {loops, grows}) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(daemon.get("/.well-known/health").statusCode()).isEqualTo(200);
                assertThat(ok(daemon.get("/model/" + id)).path("unusable").asText()).contains("chat template");
            });
        }
        assertThat(ok(daemon.get("/model/" + loops)).get("unusable").asText()).contains("took more than 2 s");
        assertThat(ok(daemon.get("/model/" + grows)).get("unusable").asText()).contains("256 MB");

        for (String name : new String[] {"loops", "grows"}) {
            HttpResponse<String> chat = daemon.post("/v1/chat/completions", "{\"model\":\"" + name + "\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(chat.statusCode()).isEqualTo(422);
            assertThat(Json.MAPPER.readTree(chat.body()).at("/error/message").asText())
                    .contains("model '" + name + "' cannot be used: its chat template");
            HttpResponse<String> load = daemon.post("/model/" + name + "/load", "");
            assertThat(load.statusCode()).isEqualTo(422);
            JsonNode tag = null;
            for (JsonNode t : ok(daemon.get("/api/tags")).get("models")) {
                if (t.get("name").asText().startsWith(name + ":")) {
                    tag = t;
                }
            }
            assertThat(tag).isNotNull();
            assertThat(tag.path("unusable").asText()).contains("chat template");
            JsonNode show = ok(daemon.post("/api/show", "{\"model\":\"" + name + "\"}"));
            assertThat(show.path("unusable").asText()).contains("chat template");
        }
        assertThat(ok(daemon.get("/memory")).get("loaded")).as("no runner holds them").isEmpty();
        JsonNode answer = ok(daemon.post("/v1/chat/completions", "{\"model\":\"other\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Hello, world!");
        assertThat(other).isNotEmpty();
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
