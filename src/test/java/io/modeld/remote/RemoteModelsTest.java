package io.modeld.remote;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modeld.Json;
import io.modeld.config.Config;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.AgentModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons: the team's ({@code team}, with an API key) holds the models, real llama.cpp on scripted models; the
 * laptop's ({@code laptop}, {@code --remotes 127.0.0.1}) uses them as remote models. Every door of the laptop answers
 * with the team's model as the team's own door does (streams, tool calls, embeddings, the Pieces Copilot); the
 * team's key is kept in the laptop's data dir and appears in no answer or log; a host off the allow-list is refused
 * before anything is sent, and one that is down is shown so and answered with a 502 that says why.
 */
class RemoteModelsTest {

    static final String KEY = "team-key-7f3a9c2e5b1d4086";

    @TempDir
    static Path files;
    static TestDaemon team;
    static TestDaemon laptop;
    /** Every body the laptop answered: none may hold the team's key. */
    static final List<String> seen = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path teamDir = files.resolve("team");
        Path folder = Files.createDirectories(files.resolve("library"));
        io.modeld.gguf.TinyLlama.CHAT.write(folder.resolve("eyes.gguf"), 71);
        io.modeld.gguf.TinyProjector.CHAT.write(folder.resolve("mmproj-eyes-f32.gguf"), 72);
        Path hear = Files.createDirectories(folder.resolve("hear"));
        io.modeld.gguf.TinyLlama.CHAT.write(hear.resolve("ears.gguf"), 73);
        io.modeld.gguf.TinyAudioProjector.CHAT.write(hear.resolve("mmproj-ears.gguf"), 74);
        try (TestDaemon setup = TestDaemon.start(Config.forDataDir(teamDir))) {
            AgentModels.qwen3(setup, files, "agent");
            Path embedder = files.resolve("embedder.gguf");
            TinyModels.bertEmbedder(embedder, 1);
            Downloading.downloaded(setup, embedder, "embedder");
        }
        team = TestDaemon.start(Config.forDataDir(teamDir).toBuilder().apiKey(KEY).library(List.of(folder.toString()))
                .build());
        laptop = TestDaemon.start(Config.forDataDir(files.resolve("laptop")).toBuilder()
                .remotes(List.of("127.0.0.1")).build());
    }

    @AfterAll
    static void stop() {
        if (laptop != null) {
            laptop.close();
        }
        if (team != null) {
            team.close();
        }
    }

    private static String teamUrl() {
        return "http://127.0.0.1:" + team.port();
    }

    /** A request to the team's daemon itself, with its key. */
    private static HttpResponse<String> atTeam(String path, JsonNode body) {
        return team.send(HttpRequest.newBuilder(team.uri(path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build());
    }

    private static HttpResponse<String> atLaptop(String path, JsonNode body) {
        HttpResponse<String> r = laptop.post(path, body);
        seen.add(r.body());
        return r;
    }

    private static HttpResponse<String> getLaptop(String path) {
        HttpResponse<String> r = laptop.get(path);
        seen.add(r.body());
        return r;
    }

    /** The laptop's remote models, made once: the team's chat model as "helper", its embedder as "vectors". */
    private static synchronized void made() {
        if (ok(laptop.get("/api/tags")).toString().contains("\"helper:latest\"")) {
            return;
        }
        ObjectNode add = Json.MAPPER.createObjectNode().put("url", teamUrl() + "/v1").put("key", KEY);
        add.putArray("models").add("embedder");
        ok(atLaptop("/remotes", add));
        ObjectNode create = Json.MAPPER.createObjectNode().put("model", "helper").put("from", "agent")
                .put("remote_host", teamUrl()).put("stream", false);
        assertThat(ok(atLaptop("/api/create", create)).get("status").asText()).isEqualTo("success");
        ok(atLaptop("/api/create", Json.MAPPER.createObjectNode().put("model", "vectors").put("from", "embedder")
                .put("remote_host", teamUrl()).put("stream", false)));
    }

    /** The team's entry in the laptop's {@code /remotes}. */
    private static JsonNode teamHost() {
        for (JsonNode h : ok(getLaptop("/remotes")).get("hosts")) {
            if (h.get("host").asText().equals(teamUrl())) {
                return h;
            }
        }
        throw new AssertionError("the team's host is not in /remotes");
    }

    private static ObjectNode weather(String model) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", model).put("temperature", 0);
        body.putArray("messages").addObject().put("role", "user").put("content", "What is the weather in Paris?");
        ObjectNode fn = body.putArray("tools").addObject().put("type", "function").putObject("function")
                .put("name", "get_weather").put("description", "The weather in a city");
        ObjectNode params = fn.putObject("parameters").put("type", "object");
        params.putObject("properties").putObject("city").put("type", "string");
        params.putArray("required").add("city");
        return body;
    }

    @Test
    void the_remote_model_answers_on_every_door_as_the_team_answers() throws Exception {
        made();
        JsonNode tags = ok(getLaptop("/api/tags"));
        JsonNode helper = null;
        for (JsonNode m : tags.get("models")) {
            if (m.get("name").asText().equals("helper:latest")) {
                helper = m;
            }
        }
        assertThat(helper).as("listed with the local ones").isNotNull();
        assertThat(helper.get("remote_model").asText()).isEqualTo("agent");
        assertThat(helper.get("remote_host").asText()).isEqualTo(teamUrl());
        assertThat(helper.get("capabilities").toString()).contains("completion", "tools");
        JsonNode shown = ok(atLaptop("/api/show", Json.MAPPER.createObjectNode().put("model", "helper")));
        assertThat(shown.get("remote_host").asText()).isEqualTo(teamUrl());
        assertThat(ok(getLaptop("/v1/models")).toString()).contains("\"remote_model\":\"agent\"");

        // OpenAI's chat, not streamed: the tool call the team's model makes, as the team's own door gives it
        JsonNode there = ok(atTeam("/v1/chat/completions", weather("agent"))).get("choices").get(0);
        JsonNode here = ok(atLaptop("/v1/chat/completions", weather("helper"))).get("choices").get(0);
        assertThat(there.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(here.get("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode call = here.get("message").get("tool_calls").get(0).get("function");
        assertThat(call.get("name").asText()).isEqualTo("get_weather");
        assertThat(Json.MAPPER.readTree(call.get("arguments").asText()).get("city").asText()).isEqualTo("Paris");
        assertThat(call.get("arguments").asText())
                .isEqualTo(there.get("message").get("tool_calls").get(0).get("function").get("arguments").asText());

        // streamed: the same call in pieces, and the usage at the end
        ObjectNode streamed = weather("helper").put("stream", true);
        streamed.putObject("stream_options").put("include_usage", true);
        String events = atLaptop("/v1/chat/completions", streamed).body();
        assertThat(events).contains("get_weather").contains("\"finish_reason\":\"tool_calls\"").contains("data: [DONE]")
                .contains("\"prompt_tokens\":");

        // the tool's answer goes back, and the model's last words come back: Ollama's chat
        ObjectNode ollama = weather("helper").put("stream", false);
        ollama.remove("temperature");
        JsonNode asked = ok(atLaptop("/api/chat", ollama)).get("message");
        assertThat(asked.get("tool_calls").get(0).get("function").get("name").asText()).isEqualTo("get_weather");
        var messages = (com.fasterxml.jackson.databind.node.ArrayNode) ollama.get("messages");
        messages.add(asked);
        messages.addObject().put("role", "tool").put("content", "21 degrees").put("tool_name", "get_weather");
        JsonNode answered = ok(atLaptop("/api/chat", ollama));
        assertThat(answered.get("message").get("content").asText()).isEqualTo(AgentModels.ANSWER);
        assertThat(answered.get("prompt_eval_count").asInt()).as("the team's count").isGreaterThan(20);
        assertThat(answered.get("eval_count").asInt()).isGreaterThan(0);

        // Anthropic's Messages: a tool_use block
        ObjectNode anthropic = Json.MAPPER.createObjectNode().put("model", "helper").put("max_tokens", 64);
        anthropic.putArray("messages").addObject().put("role", "user").put("content", "What is the weather in Paris?");
        ObjectNode tool = anthropic.putArray("tools").addObject().put("name", "get_weather");
        tool.putObject("input_schema").put("type", "object").putObject("properties").putObject("city")
                .put("type", "string");
        JsonNode message = ok(atLaptop("/v1/messages", anthropic));
        assertThat(message.get("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(message.get("content").toString()).contains("\"type\":\"tool_use\"", "get_weather", "Paris");

        // OpenAI's Responses: a function_call item
        ObjectNode responses = Json.MAPPER.createObjectNode().put("model", "helper").put("input",
                "What is the weather in Paris?");
        responses.putArray("tools").addObject().put("type", "function").put("name", "get_weather")
                .set("parameters", weather("x").get("tools").get(0).get("function").get("parameters"));
        JsonNode response = ok(atLaptop("/v1/responses", responses));
        assertThat(response.get("output").toString()).contains("\"type\":\"function_call\"", "get_weather");

        // a conversation without tools: the same words as the team's own /api/generate
        ObjectNode gen = Json.MAPPER.createObjectNode().put("prompt", "Say something").put("stream", false);
        gen.putObject("options").put("temperature", 0).put("num_predict", 8);
        String theirs = ok(atTeam("/api/generate", gen.deepCopy().put("model", "agent"))).get("response").asText();
        String ours = ok(atLaptop("/api/generate", gen.deepCopy().put("model", "helper"))).get("response").asText();
        assertThat(ours).isEqualTo(theirs).isNotEmpty();

        // the Pieces door: listed as a cloud model, and the Copilot answers with it
        JsonNode pieces = ok(getLaptop("/models"));
        JsonNode listed = null;
        for (JsonNode m : pieces.get("iterable")) {
            if ("helper".equals(m.path("unique").asText())) {
                listed = m;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("cloud").asBoolean()).isTrue();
        JsonNode qgpt = ok(atLaptop("/qgpt/question", Json.MAPPER.createObjectNode().put("model", listed.get("id")
                .asText()).put("query", "Say something")));
        assertThat(qgpt.get("answers").get("iterable").get(0).get("text").asText()).isNotEmpty();
        assertThat(getLaptop("/metrics").body()).as("counted as a local model is")
                .containsPattern("modeld_generated_tokens_total\\{model=\"helper\"} [1-9]");

        // embeddings, on OpenAI's door and Ollama's: the team's vectors
        ObjectNode embed = Json.MAPPER.createObjectNode().put("input", "a sentence to embed");
        JsonNode theirVector = ok(atTeam("/v1/embeddings", embed.deepCopy().put("model", "embedder")))
                .get("data").get(0).get("embedding");
        JsonNode ourVector = ok(atLaptop("/v1/embeddings", embed.deepCopy().put("model", "vectors")))
                .get("data").get(0).get("embedding");
        assertThat(ourVector.size()).isEqualTo(theirVector.size()).isGreaterThan(8);
        for (int i = 0; i < ourVector.size(); i++) {
            assertThat(ourVector.get(i).asDouble()).isCloseTo(theirVector.get(i).asDouble(),
                    org.assertj.core.data.Offset.offset(1e-5));
        }
        JsonNode ollamaVectors = ok(atLaptop("/api/embed", Json.MAPPER.createObjectNode().put("model", "embedder")
                .put("input", "a sentence to embed")));
        assertThat(ollamaVectors.get("embeddings").get(0).size()).isEqualTo(theirVector.size());
        assertThat(ok(getLaptop("/api/tags")).toString()).contains("\"embedding\"");

        // what needs the model's own files here is refused, saying why
        HttpResponse<String> tokenize = atLaptop("/tokenize", Json.MAPPER.createObjectNode().put("model", "helper")
                .put("content", "hi"));
        assertThat(tokenize.statusCode()).isEqualTo(400);
        assertThat(tokenize.body()).contains("remote model");
    }

    @Test
    void the_key_is_kept_privately_and_never_shown() throws Exception {
        made();
        Path keys = laptop.dataDir().resolve("remotes.json");
        assertThat(Files.readString(keys)).contains(KEY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rw-------");

        JsonNode host = teamHost();
        assertThat(host.get("key").asBoolean()).isTrue();
        assertThat(host.get("reachable").asBoolean()).isTrue();
        assertThat(host.get("models").toString()).contains("helper", "embedder");
        getLaptop("/api/show");
        getLaptop("/models");
        getLaptop("/settings");
        getLaptop("/logs?lines=2000");
        getLaptop("/metrics");

        // without the key the team refuses, and the laptop says so in words that hold no key
        ObjectNode add = Json.MAPPER.createObjectNode().put("url", "http://127.0.0.1:" + team.port()).put("key",
                "wrong-" + KEY.substring(6));
        add.putArray("models").add("agent");
        HttpResponse<String> refused = atLaptop("/remotes", add);
        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(refused.body()).contains("refused modeld's key");
        ok(atLaptop("/remotes", Json.MAPPER.createObjectNode().put("url", teamUrl()).put("key", KEY)));

        for (String body : seen) {
            assertThat(body).doesNotContain(KEY).doesNotContain(KEY.substring(6));
        }
    }

    @Test
    void clients_written_by_others_use_the_remote_models() throws Exception {
        made();
        io.modeld.testing.NodeTests.run("remote-clients.test.mjs", java.util.Map.of("MODELD_URL",
                "http://127.0.0.1:" + laptop.port(), "TEAM_KEY", KEY), 5, files);
    }

    @Test
    void a_remote_model_takes_a_modelfile_of_its_own_and_is_copied_and_deleted_as_any_model() throws Exception {
        made();
        ObjectNode brief = Json.MAPPER.createObjectNode().put("model", "brief").put("from", "helper")
                .put("system", "You are a weather assistant who answers in one short sentence.").put("stream", false);
        ok(atLaptop("/api/create", brief));
        // the prompt's tokens in all, as the team counts them (Ollama's prompt_eval_count leaves out its cache's)
        ObjectNode chat = Json.MAPPER.createObjectNode().put("max_tokens", 2);
        chat.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        int plain = promptTokens(chat.deepCopy().put("model", "helper"));
        int withSystem = promptTokens(chat.deepCopy().put("model", "brief"));
        assertThat(withSystem).as("the local Modelfile's system prompt goes to the team").isGreaterThan(plain + 8);
        JsonNode shown = ok(atLaptop("/api/show", Json.MAPPER.createObjectNode().put("model", "brief")));
        assertThat(shown.get("remote_model").asText()).isEqualTo("agent");
        assertThat(shown.get("system").asText()).startsWith("You are a weather assistant");

        assertThat(atLaptop("/api/copy", Json.MAPPER.createObjectNode().put("source", "brief")
                .put("destination", "brief-copy")).statusCode()).isEqualTo(200);
        assertThat(promptTokens(chat.deepCopy().put("model", "brief-copy"))).isEqualTo(withSystem);

        String id = null;
        for (JsonNode m : ok(getLaptop("/models")).get("iterable")) {
            if ("brief-copy".equals(m.path("unique").asText())) {
                id = m.get("id").asText();
                assertThat(m.get("remote").get("model").asText()).isEqualTo("agent");
            }
        }
        HttpResponse<String> download = atLaptop("/model/" + id + "/download", Json.MAPPER.createObjectNode());
        assertThat(download.statusCode()).isEqualTo(409);
        assertThat(download.body()).contains("nothing to download");
        for (String name : List.of("brief", "brief-copy")) {
            HttpResponse<String> deleted = laptop.send(HttpRequest.newBuilder(laptop.uri("/api/delete"))
                    .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"model\": \"" + name + "\"}")).build());
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        }
        assertThat(ok(getLaptop("/api/tags")).toString()).doesNotContain("brief").contains("helper");
        assertThat(atTeam("/api/show", Json.MAPPER.createObjectNode().put("model", "agent")).statusCode())
                .as("the team's model stays").isEqualTo(200);
    }

    /** The name of the team's library model whose name holds {@code part}. */
    private static String teamModel(String part) {
        for (JsonNode m : ok(team.send(HttpRequest.newBuilder(team.uri("/api/tags"))
                .header("Authorization", "Bearer " + KEY).build())).get("models")) {
            if (m.get("name").asText().contains(part)) {
                return m.get("name").asText();
            }
        }
        return null;
    }

    @Test
    void a_clip_goes_to_the_team_and_is_heard_there() throws Exception {
        made();
        String hearing = teamModel("ears");
        assertThat(hearing).as("the team's library model").isNotNull();
        ok(atLaptop("/api/create", Json.MAPPER.createObjectNode().put("model", "ears").put("from", hearing)
                .put("remote_host", teamUrl()).put("stream", false)));
        assertThat(ok(atLaptop("/api/show", Json.MAPPER.createObjectNode().put("model", "ears")))
                .get("capabilities").toString()).contains("audio");
        String wav = java.util.Base64.getEncoder().encodeToString(io.modeld.testing.TestClips.tone(1500, 440));
        ObjectNode chat = Json.MAPPER.createObjectNode().put("max_tokens", 6).put("temperature", 0);
        var content = chat.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "input_audio").putObject("input_audio").put("data", wav).put("format", "wav");
        content.addObject().put("type", "text").put("text", "What do you hear?");
        JsonNode there = ok(atTeam("/v1/chat/completions", chat.deepCopy().put("model", hearing)));
        JsonNode here = ok(atLaptop("/v1/chat/completions", chat.deepCopy().put("model", "ears")));
        assertThat(here.get("usage").get("prompt_tokens").asInt()).as("the clip's tokens counted there")
                .isEqualTo(there.get("usage").get("prompt_tokens").asInt())
                .isGreaterThan(io.modeld.gguf.TinyAudioProjector.TOKENS_PER_CHUNK);
        assertThat(here.get("choices").get(0).get("message").get("content").asText())
                .isEqualTo(there.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void an_image_goes_to_the_team_and_is_read_there() throws Exception {
        made();
        String vision = teamModel("eyes");
        assertThat(vision).as("the team's library model").isNotNull();
        ok(atLaptop("/api/create", Json.MAPPER.createObjectNode().put("model", "eyes").put("from", vision)
                .put("remote_host", teamUrl()).put("stream", false)));
        assertThat(ok(atLaptop("/api/show", Json.MAPPER.createObjectNode().put("model", "eyes")))
                .get("capabilities").toString()).contains("vision");

        String png = java.util.Base64.getEncoder().encodeToString(io.modeld.testing.TestImages.png(64, 48, 1));
        ObjectNode chat = Json.MAPPER.createObjectNode().put("max_tokens", 6).put("temperature", 0);
        var content = chat.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", "What is in");
        content.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/png;base64," + png);
        content.addObject().put("type", "text").put("text", "this picture?");
        JsonNode there = ok(atTeam("/v1/chat/completions", chat.deepCopy().put("model", vision)));
        JsonNode here = ok(atLaptop("/v1/chat/completions", chat.deepCopy().put("model", "eyes")));
        assertThat(here.get("usage").get("prompt_tokens").asInt()).as("the image's tokens counted there")
                .isEqualTo(there.get("usage").get("prompt_tokens").asInt())
                .isGreaterThan(io.modeld.gguf.TinyProjector.CHAT.tokensPerImage());
        assertThat(here.get("choices").get(0).get("message").get("content").asText())
                .isEqualTo(there.get("choices").get(0).get("message").get("content").asText());
        // Ollama's door: the image as base64 in images
        ObjectNode ollama = Json.MAPPER.createObjectNode().put("model", "eyes").put("stream", false);
        ollama.putObject("options").put("num_predict", 6).put("temperature", 0);
        ollama.putArray("messages").addObject().put("role", "user").put("content", "What is in this picture?")
                .putArray("images").add(png);
        ollama.put("model", vision);
        HttpResponse<String> direct = team.send(HttpRequest.newBuilder(team.uri("/api/chat"))
                .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(ollama.toString()))
                .build());
        ollama.put("model", "eyes");
        assertThat(ok(atLaptop("/api/chat", ollama)).get("message").get("content").asText())
                .isEqualTo(ok(direct).get("message").get("content").asText());
    }

    private static int promptTokens(ObjectNode chat) {
        return ok(atLaptop("/v1/chat/completions", chat)).get("usage").get("prompt_tokens").asInt();
    }

    /** What a CLI command printed and returned, run against the laptop. */
    private static String[] cli(StringWriter out, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--url";
        all[args.length + 1] = "http://127.0.0.1:" + laptop.port();
        return all;
    }

    private static String modeld(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = io.modeld.cli.ModeldCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(cli(out, args));
        assertThat(code).as(String.join(" ", args) + ": " + err).isZero();
        seen.add(out.toString());
        return out.toString();
    }

    @Test
    void the_cli_adds_lists_and_forgets_a_server() throws Exception {
        made();
        Path keyFile = files.resolve("team.key");
        Files.writeString(keyFile, KEY + "\n");
        String added = modeld("remote", "add", teamUrl(), "--key-file", keyFile.toString(), "--model", "agent");
        assertThat(added).contains("helper -> agent on " + teamUrl());
        String listed = modeld("remote", "ls");
        assertThat(listed).containsPattern("127\\.0\\.0\\.1:" + team.port() + " +\\d+ ms +yes +.*helper")
                .contains("allowed: 127.0.0.1");
        assertThat(modeld("ls")).containsPattern("helper.*remote");
        modeld("remote", "rm", teamUrl());
        JsonNode host = teamHost();
        assertThat(host.get("key").asBoolean()).isFalse();
        assertThat(host.get("reachable").asBoolean()).as("the team wants its key").isFalse();
        assertThat(host.get("error").asText()).contains("refused modeld's key");
        modeld("remote", "add", teamUrl(), "--key-file", keyFile.toString(), "--model", "agent");
        assertThat(teamHost().get("reachable").asBoolean()).isTrue();
    }

    @Test
    void adding_a_server_never_replaces_a_model_of_this_machine() throws Exception {
        made();
        String id = AgentModels.hello(laptop, files, "mine");
        ObjectNode add = Json.MAPPER.createObjectNode().put("url", teamUrl());
        add.putArray("models").add("agent").add("mine");
        HttpResponse<String> refused = atLaptop("/remotes", add);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("mine already name models here").contains("nothing was made");
        JsonNode kept = ok(getLaptop("/model/" + id));
        assertThat(kept.get("downloaded").asBoolean()).isTrue();
        assertThat(kept.hasNonNull("remote")).isFalse();
    }

    @Test
    void hosts_off_the_allow_list_are_never_contacted_and_a_host_that_is_down_is_shown() throws Exception {
        int before = ok(getLaptop("/api/tags")).get("models").size();
        ObjectNode offList = Json.MAPPER.createObjectNode().put("model", "elsewhere").put("from", "agent")
                .put("remote_host", "http://127.0.0.2:" + team.port()).put("stream", false);
        HttpResponse<String> refused = atLaptop("/api/create", offList);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("not on the remotes allow-list", "--remotes");

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ObjectNode down = Json.MAPPER.createObjectNode().put("model", "gone").put("from", "agent")
                .put("remote_host", "http://127.0.0.1:" + port).put("stream", false);
        HttpResponse<String> unreachable = atLaptop("/api/create", down);
        assertThat(unreachable.statusCode()).isEqualTo(502);
        assertThat(unreachable.body()).contains("cannot be reached");
        assertThat(ok(getLaptop("/api/tags")).get("models").size()).as("nothing made").isEqualTo(before);

        // a model made on a server that then goes away: shown down, and answered with a 502 that says why
        Path spareDir = files.resolve("spare");
        String spareUrl;
        try (TestDaemon spare = TestDaemon.start(Config.forDataDir(spareDir))) {
            AgentModels.hello(spare, files, "hello");
            spareUrl = "http://127.0.0.1:" + spare.port();
            ObjectNode seeded = Json.MAPPER.createObjectNode().put("name", "Spare Hello").put("unique", "spare-hello");
            seeded.putObject("remote").put("host", spareUrl).put("model", "hello");
            JsonNode made = ok(atLaptop("/models/create", seeded));
            assertThat(made.get("cloud").asBoolean()).as("a Pieces cloud model").isTrue();
            ObjectNode chat = Json.MAPPER.createObjectNode().put("model", "spare-hello");
            chat.putArray("messages").addObject().put("role", "user").put("content", "Hi");
            assertThat(ok(atLaptop("/v1/chat/completions", chat)).get("choices").get(0).get("message").get("content")
                    .asText()).isEqualTo("Hello, world!");
        }
        JsonNode shown = null;
        for (JsonNode h : ok(getLaptop("/remotes")).get("hosts")) {
            if (h.get("host").asText().equals(spareUrl)) {
                shown = h;
            }
        }
        assertThat(shown).isNotNull();
        assertThat(shown.get("reachable").asBoolean()).isFalse();
        assertThat(shown.get("error").asText()).contains("cannot be reached");
        assertThat(shown.get("models").toString()).contains("Spare Hello");
        ObjectNode chat = Json.MAPPER.createObjectNode().put("model", "spare-hello").put("stream", false);
        chat.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        HttpResponse<String> gone = atLaptop("/api/chat", chat);
        assertThat(gone.statusCode()).isEqualTo(502);
        assertThat(gone.body()).contains("cannot be reached");
        HttpResponse<String> notReady = getLaptop("/readyz?model=spare-hello");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).contains("cannot be reached");
        assertThat(getLaptop("/readyz?model=helper").statusCode()).as("the team answers").isEqualTo(200);
        assertThat(getLaptop("/metrics").body()).as("a failed forward is counted")
                .containsPattern("modeld_requests_total\\{model=\"spare-hello\",outcome=\"error\"} 1");

        HttpResponse<String> bad = atLaptop("/api/create", Json.MAPPER.createObjectNode().put("model", "x")
                .put("from", "agent").put("remote_host", "ftp://127.0.0.1/").put("stream", false));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("http:// or https://");
        ObjectNode seeded = Json.MAPPER.createObjectNode().put("name", "Bad Remote");
        seeded.putObject("remote").put("host", "gpu-box.lan:11434").put("model", "x");
        HttpResponse<String> badSeed = atLaptop("/models/create", seeded);
        assertThat(badSeed.statusCode()).isEqualTo(400);
        assertThat(badSeed.body()).contains("remote.host: an http:// or https:// URL");
    }
}
