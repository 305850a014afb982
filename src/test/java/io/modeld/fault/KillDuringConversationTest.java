package io.modeld.fault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.Json;
import io.modeld.testing.DaemonProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the daemon while a client adds messages to a conversation as fast as it can. After the
 * restart every acknowledged message is there, in order, the one in flight is there whole or not at all,
 * the positions have no gap, and the database passes SQLite's integrity check.
 */
class KillDuringConversationTest {

    @TempDir
    Path tmp;

    @Test
    void acknowledged_messages_survive_a_kill_and_the_one_in_flight_is_whole_or_absent() throws Exception {
        Path dataDir = tmp.resolve("data");
        DaemonProcess daemon = DaemonProcess.start(dataDir, "--no-resume-downloads");
        String conversation;
        AtomicInteger acknowledged = new AtomicInteger();
        try {
            conversation = json(daemon.post("/conversations/create", "{\"type\":\"COPILOT\",\"name\":\"kill\"}"))
                    .get("id").asText();
            DaemonProcess target = daemon;
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; ; i++) {
                        HttpResponse<String> r = target.post("/messages/create", "{\"role\":\"" + (i % 2 == 0 ? "USER"
                                : "ASSISTANT") + "\",\"fragment\":{\"string\":{\"raw\":\"message " + i + " "
                                + "x".repeat(1000) + "\"}},\"conversation\":{\"id\":\"" + conversation + "\"}}");
                        if (r.statusCode() != 200) {
                            return;
                        }
                        acknowledged.incrementAndGet();
                    }
                } catch (RuntimeException killed) {
                    // the connection died with the daemon
                }
            });
            writer.start();
            while (acknowledged.get() < 50) {
                Thread.sleep(5);
            }
            daemon.kill();
            writer.join(10_000);
        } finally {
            daemon.close();
        }
        int sent = acknowledged.get();
        assertThat(integrityCheck(dataDir)).isEqualTo("ok");

        daemon = DaemonProcess.start(dataDir, "--no-resume-downloads");
        try {
            JsonNode c = json(daemon.get("/conversation/" + conversation));
            JsonNode ids = c.at("/messages/iterable");
            assertThat(ids.size()).as("every acknowledged message, and at most the one in flight")
                    .isBetween(sent, sent + 1);
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i).get("id").asText();
                assertThat(c.at("/messages/indices/" + id).asInt()).isEqualTo(i);
                texts.add(json(daemon.get("/message/" + id)).at("/fragment/string/raw").asText());
            }
            for (int i = 0; i < texts.size(); i++) {
                assertThat(texts.get(i)).isEqualTo("message " + i + " " + "x".repeat(1000));
            }
        } finally {
            daemon.close();
        }
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private static String integrityCheck(Path dataDir) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("modeld.db"));
             var s = c.createStatement(); var rs = s.executeQuery("PRAGMA integrity_check")) {
            return rs.getString(1);
        }
    }
}
