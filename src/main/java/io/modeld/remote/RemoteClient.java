package io.modeld.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.ModeldException;
import io.modeld.catalog.Remote;
import io.modeld.engine.Generation;
import io.modeld.runtime.GenerationOutput;
import io.modeld.runtime.RunnerResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Speaks to the servers remote models live on, by the API modeld, Ollama, llama-server, vLLM and OpenAI all serve:
 * {@code /v1/chat/completions} and {@code /v1/completions} streamed (server-sent events: text, reasoning and tool
 * calls apart, the usage last), {@code /v1/embeddings}, {@code /v1/models}; and Ollama's {@code /api/show} for what
 * a model can do, where the server has it. Every request is checked against the allow-list first and carries the
 * host's key, if one is kept; redirects are not followed (a redirect could lead off the list). What a server
 * answers with an error is said in its own words, never with the key.
 */
public final class RemoteClient {

    /** Connecting may take this long; a server that accepts and then stays silent is bounded by {@link #SILENCE}. */
    static final Duration CONNECT = Duration.ofSeconds(5);
    /** The longest wait for a server's first byte: a long prompt on a busy server can take minutes. */
    static final Duration SILENCE = Duration.ofMinutes(10);
    /** The most of a non-streamed answer read (embeddings of 2048 inputs fit). */
    static final int MAX_BODY = 256 << 20;
    /** The most of an error's body read. */
    static final int MAX_ERROR = 64 << 10;
    /** The most of a server's error message said to a client. */
    static final int MAX_SAID = 300;

    private final RemoteHosts hosts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public RemoteClient(RemoteHosts hosts) {
        this.hosts = hosts;
    }

    public RemoteHosts hosts() {
        return hosts;
    }

    private HttpRequest.Builder request(String base, String path) {
        return request(base, path, hosts.key(base));
    }

    private HttpRequest.Builder request(String base, String path, String key) {
        hosts.check(base);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(SILENCE)
                .header("User-Agent", "modeld/" + io.modeld.config.BuildInfo.version());
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b;
    }

    private HttpResponse<InputStream> send(String base, HttpRequest r, String what) {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ModeldException(ModeldException.Kind.BAD_GATEWAY, what + ": " + RemoteHosts.hostPort(base)
                    + " cannot be reached (" + reason(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModeldException(ModeldException.Kind.UNAVAILABLE, what + ": interrupted");
        }
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static HttpRequest.BodyPublisher json(JsonNode body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A JSON answer of {@code base}'s {@code path} (POST with {@code body}, GET when null); an error status is
     * thrown in the server's words.
     */
    JsonNode call(String base, String path, JsonNode body, String what) {
        Answer a = exchange(base, path, body, what);
        if (a.status() != 200) {
            throw failure(base, a.status(), a.body(), what, hosts.key(base));
        }
        try {
            return Json.MAPPER.readTree(a.body());
        } catch (IOException e) {
            throw new ModeldException(ModeldException.Kind.BAD_GATEWAY, what + ": " + RemoteHosts.hostPort(base)
                    + " answered what is not JSON");
        }
    }

    /** A status and the body that came with it. */
    record Answer(int status, byte[] body) {
    }

    private Answer exchange(String base, String path, JsonNode body, String what) {
        return exchange(base, path, body, what, hosts.key(base));
    }

    private Answer exchange(String base, String path, JsonNode body, String what, String key) {
        HttpRequest.Builder b = request(base, path, key).header("Accept", "application/json");
        HttpRequest r = body == null ? b.GET().build()
                : b.header("Content-Type", "application/json").POST(json(body)).build();
        HttpResponse<InputStream> response = send(base, r, what);
        try (InputStream in = response.body()) {
            return new Answer(response.statusCode(), in.readNBytes(response.statusCode() == 200 ? MAX_BODY : MAX_ERROR));
        } catch (IOException e) {
            throw new ModeldException(ModeldException.Kind.BAD_GATEWAY, what + ": " + RemoteHosts.hostPort(base)
                    + " broke off its answer (" + reason(e) + ")");
        }
    }

    /**
     * What a server's error status means for the client, in the server's own words, the {@code key} sent to it blotted
     * out of them (a server that quotes the key it refused must not show it to modeld's clients).
     */
    static ModeldException failure(String base, int status, byte[] body, String what, String key) {
        String said = said(body, key);
        String where = RemoteHosts.hostPort(base);
        return switch (status) {
            case 400, 413, 422 -> ModeldException.invalid(what + ": " + where + " refused the request: " + said);
            case 401, 403 -> new ModeldException(ModeldException.Kind.BAD_GATEWAY, what + ": " + where
                    + " refused modeld's key (" + status + "): " + said + "; give it one with modeld remote add "
                    + base + " --key-file FILE");
            case 404 -> new ModeldException(ModeldException.Kind.BAD_GATEWAY, what + ": " + where
                    + " has no such model or route (404): " + said);
            case 429, 503 -> new ModeldException(ModeldException.Kind.BUSY, what + ": " + where + " is busy ("
                    + status + "): " + said);
            default -> new ModeldException(ModeldException.Kind.BAD_GATEWAY, what + ": " + where + " failed ("
                    + status + "): " + said);
        };
    }

    /**
     * The message in an error body: OpenAI's {@code error.message}, Ollama's {@code error}, or its first line; with
     * {@code key} (when not null) blotted out before anything is cut.
     */
    static String said(byte[] body, String key) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (key != null && !key.isEmpty()) {
            text = text.replace(key, "[the key]");
        }
        String said;
        try {
            JsonNode e = Json.MAPPER.readTree(text).path("error");
            said = e.isTextual() ? e.textValue() : e.path("message").isTextual() ? e.path("message").textValue() : null;
        } catch (IOException notJson) {
            said = null;
        }
        if (said == null) {
            said = text.strip().lines().findFirst().orElse("");
        }
        said = said.strip();
        return said.isEmpty() ? "no message" : said.length() > MAX_SAID ? said.substring(0, MAX_SAID) + "..." : said;
    }

    /**
     * Streams {@code body} to {@code path} ({@code /v1/chat/completions}, or {@code /v1/completions} for text), giving
     * {@code out} the text, reasoning and tool calls as they come; the usage the server counts, or the pieces when it
     * counts none. When {@code out} throws (the client left), the connection is closed at once and the exception
     * goes on.
     */
    public RunnerResult stream(Remote remote, String path, ObjectNode body, GenerationOutput out) {
        String what = "remote model '" + remote.model() + "'";
        body.put("model", remote.model()).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        long began = System.nanoTime();
        HttpRequest r = request(remote.host(), path).header("Accept", "text/event-stream")
                .header("Content-Type", "application/json").POST(json(body)).build();
        HttpResponse<InputStream> response = send(remote.host(), r, what);
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw failure(remote.host(), response.statusCode(), in.readNBytes(MAX_ERROR), what,
                        hosts.key(remote.host()));
            }
            out.started(0, 0);
            return new EventReader(out, began, hosts.key(remote.host())).read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new ModeldException(ModeldException.Kind.BAD_GATEWAY, what + ": " + RemoteHosts.hostPort(remote.host())
                    + " broke off its answer (" + reason(e) + ")");
        }
    }

    /** The vectors of {@code /v1/embeddings}, in input order, and the tokens the server counted. */
    public Vectors embed(Remote remote, ObjectNode body) {
        String what = "remote model '" + remote.model() + "'";
        body.put("model", remote.model()).put("encoding_format", "float");
        JsonNode answer = call(remote.host(), "/v1/embeddings", body, what);
        JsonNode data = answer.path("data");
        float[][] vectors = new float[data.size()][];
        for (JsonNode d : data) {
            int i = d.path("index").asInt(-1);
            JsonNode e = d.path("embedding");
            if (i < 0 || i >= vectors.length || !e.isArray()) {
                throw new ModeldException(ModeldException.Kind.BAD_GATEWAY, what + ": " + RemoteHosts.hostPort(
                        remote.host()) + " answered embeddings modeld cannot read");
            }
            float[] v = new float[e.size()];
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) e.get(k).asDouble();
            }
            vectors[i] = v;
        }
        return new Vectors(List.of(vectors), answer.path("usage").path("prompt_tokens").asInt(0));
    }

    /** Vectors a server made, and the tokens it counted. */
    public record Vectors(List<float[]> vectors, int tokens) {
    }

    /**
     * What {@code model} on {@code base} can do, in Ollama's capability names: as its {@code /api/show} says (modeld,
     * Ollama), else, when the server lists the model on {@code /v1/models}, completion and tools. BAD_GATEWAY when the
     * server cannot be reached, refuses the key or has no such model.
     */
    public List<String> capabilities(String base, String model) {
        String what = "remote model '" + model + "'";
        Answer show = exchange(base, "/api/show", Json.MAPPER.createObjectNode().put("model", model), what);
        if (show.status() == 401 || show.status() == 403) {
            throw failure(base, show.status(), show.body(), what, hosts.key(base));
        }
        if (show.status() == 200) {
            List<String> caps = new ArrayList<>();
            try {
                Json.MAPPER.readTree(show.body()).path("capabilities").forEach(c -> caps.add(c.asText()));
            } catch (IOException e) {
                // not Ollama's answer: the OpenAI-compatible list says whether the model is there
            }
            if (!caps.isEmpty()) {
                return caps;
            }
        }
        if (!models(base).contains(model)) {
            throw new ModeldException(ModeldException.Kind.BAD_GATEWAY, RemoteHosts.hostPort(base) + " has no model '"
                    + model + "'" + " (its /v1/models does not list it)");
        }
        return List.of("completion", "tools");
    }

    /** The models {@code base} lists on {@code /v1/models}. */
    public List<String> models(String base) {
        return models(base, hosts.key(base));
    }

    /** The same, asked with {@code key} (null: none): how a key is tried before it is kept. */
    public List<String> models(String base, String key) {
        String what = "listing the models of " + RemoteHosts.hostPort(base);
        Answer a = exchange(base, "/v1/models", null, what, key);
        if (a.status() != 200) {
            throw failure(base, a.status(), a.body(), what, key);
        }
        JsonNode list;
        try {
            list = Json.MAPPER.readTree(a.body());
        } catch (IOException e) {
            throw new ModeldException(ModeldException.Kind.BAD_GATEWAY, what + ": " + RemoteHosts.hostPort(base)
                    + " answered what is not JSON");
        }
        List<String> names = new ArrayList<>();
        list.path("data").forEach(m -> names.add(m.path("id").asText()));
        return names;
    }

    /** How a generation's events from a server become pieces of output and a result. */
    private static final class EventReader {

        private final GenerationOutput out;
        private final long began;
        /** The key sent, blotted out of an error the server sends mid-answer. */
        private final String key;
        private long first;
        private int pieces;
        private int promptTokens;
        private int cachedTokens;
        private int tokens = -1;
        private boolean called;
        private Generation.Finish finish = Generation.Finish.STOP;

        EventReader(GenerationOutput out, long began, String key) {
            this.out = out;
            this.began = began;
            this.key = key;
        }

        RunnerResult read(BufferedReader lines) throws IOException {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    break;
                }
                event(Json.MAPPER.readTree(data));
            }
            if (called && finish == Generation.Finish.STOP) {
                finish = Generation.Finish.TOOL_CALLS;
            }
            long end = System.nanoTime();
            long firstAt = first == 0 ? end : first;
            return new RunnerResult(promptTokens, cachedTokens, tokens >= 0 ? tokens : pieces, finish, 0,
                    firstAt - began, end - firstAt, null, null);
        }

        private void event(JsonNode e) {
            if (e.has("error")) {
                throw new ModeldException(ModeldException.Kind.BAD_GATEWAY, "the remote server failed mid-answer: "
                        + said(e.toString().getBytes(StandardCharsets.UTF_8), key));
            }
            JsonNode usage = e.path("usage");
            if (usage.isObject()) {
                promptTokens = usage.path("prompt_tokens").asInt(promptTokens);
                cachedTokens = usage.path("prompt_tokens_details").path("cached_tokens").asInt(cachedTokens);
                tokens = usage.path("completion_tokens").asInt(tokens);
            }
            for (JsonNode choice : e.path("choices")) {
                if (first == 0) {
                    first = System.nanoTime();
                }
                JsonNode delta = choice.has("delta") ? choice.get("delta") : choice;
                String reasoning = delta.path("reasoning_content").isTextual() ? delta.get("reasoning_content").textValue()
                        : delta.path("reasoning").isTextual() ? delta.get("reasoning").textValue() : null;
                if (reasoning != null && !reasoning.isEmpty()) {
                    pieces++;
                    out.thinking(reasoning);
                }
                String text = delta.path("content").isTextual() ? delta.get("content").textValue()
                        : choice.path("text").isTextual() ? choice.get("text").textValue() : null;
                if (text != null && !text.isEmpty()) {
                    pieces++;
                    out.text(text);
                }
                for (JsonNode call : delta.path("tool_calls")) {
                    JsonNode f = call.path("function");
                    called = true;
                    out.toolCall(new GenerationOutput.ToolCallDelta(call.path("index").asInt(0),
                            call.path("id").isTextual() ? call.get("id").textValue() : null,
                            f.path("name").isTextual() ? f.get("name").textValue() : null,
                            f.path("arguments").isTextual() ? f.get("arguments").textValue() : ""));
                }
                String reason = choice.path("finish_reason").asText("");
                switch (reason) {
                    case "length" -> finish = Generation.Finish.LENGTH;
                    case "tool_calls", "function_call" -> finish = Generation.Finish.TOOL_CALLS;
                    case "stop" -> finish = Generation.Finish.STOP;
                    default -> {
                    }
                }
            }
        }
    }
}
