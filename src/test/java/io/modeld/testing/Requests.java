package io.modeld.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import java.net.http.HttpResponse;

/** Request bodies and answer checks that many API tests share. */
public final class Requests {

    private Requests() {
    }

    /** A SeededModel body as the SDK sends it, named {@code name}. */
    public static ObjectNode seeded(String name) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", name);
        n.put("version", "1.0.0");
        n.putObject("created").put("value", "2026-01-01T00:00:00Z");
        n.put("cloud", false);
        n.put("type", "BALANCED");
        n.put("usage", "CODE_CONVERSATION");
        return n;
    }

    /** A Pieces-style error: the status, a plain-text body, and the words it must contain. */
    public static void assertError(HttpResponse<String> r, int status, String mentions) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.body()).contains(mentions);
    }
}
