package io.modeld.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modeld.gguf.TinyModels;
import io.modeld.testing.LibraryLayouts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code modeld serve} as a real process: flags, MODELD_* variables, the startup line, SIGTERM. */
class ServeCommandTest {

    @TempDir
    Path tmp;

    /** Where the tools' stores are found: the test's environment must not point the daemon at real ones. */
    private static final List<String> LIBRARY_VARIABLES = List.of("OLLAMA_MODELS", "OLLAMA_REMOTES", "HF_HOME", "HF_HUB_CACHE",
            "XDG_CACHE_HOME", "LLAMA_CACHE");

    private static Process modeld(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.modeld.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
        pb.environment().keySet().removeIf(k -> k.startsWith("MODELD_") || LIBRARY_VARIABLES.contains(k));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String firstLine(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return out.readLine();
    }

    @Test
    void serves_on_the_variables_given_and_stops_cleanly_on_sigterm() throws Exception {
        Path dataDir = tmp.resolve("from-env");
        Process p = modeld(Map.of("MODELD_DATA_DIR", dataDir.toString(), "MODELD_PORT", "0", "OLLAMA_REMOTES",
                "ollama.com", "MODELD_REMOTES", "gpu-box.lan, 10.0.0.5:11434"), "serve");
        try {
            String line = firstLine(p);
            assertThat(line).startsWith("modeld ").contains(" serving http://127.0.0.1:").contains(dataDir.toString());
            Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(line);
            assertThat(m.find()).isTrue();
            int port = Integer.parseInt(m.group(1));
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/.well-known/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).isEqualTo("ok");
            HttpResponse<String> remotes = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/remotes")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(remotes.body()).as("MODELD_REMOTES before Ollama's variable")
                    .contains("\"allowed\":[\"gpu-box.lan\",\"10.0.0.5:11434\"]");
            Matcher ollama = Pattern.compile("for Ollama's clients (http://127\\.0\\.0\\.1:11434)").matcher(line);
            if (ollama.find()) {
                HttpResponse<String> root = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(ollama.group(1) + "/")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(root.body()).isEqualTo("Ollama is running");
            } else {
                System.out.println("NOTICE: port 11434 is taken here, so only the log line about it is checked");
                assertThat(Files.readString(dataDir.resolve("logs/modeld.log"))).contains("port 11434 not served");
            }
            assertThat(dataDir.resolve("modeld.db")).exists();
            assertThat(dataDir.resolve("logs/modeld.log")).exists();

            p.destroy(); // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
            // SQLite removes the WAL file only when the last connection closes cleanly.
            assertThat(dataDir.resolve("modeld.db-wal")).doesNotExist();
            assertThat(Files.readString(dataDir.resolve("logs/modeld.log"))).contains("catalog merged");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void log_format_json_writes_the_console_log_one_object_a_line() throws Exception {
        // the main classpath only: the tests' logback-test.xml would take the console over
        String main = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes")).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", main,
                "io.modeld.Main", "serve", "--port", "0", "--ollama-port", "0", "--no-spare-runner", "--no-library",
                "--data-dir", tmp.resolve("json").toString(), "--log-format", "json")
                .redirectError(tmp.resolve("stderr.log").toFile()).start();
        try {
            assertThat(firstLine(p)).contains(" serving ");
            p.destroy();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            List<String> lines = Files.readAllLines(tmp.resolve("stderr.log")).stream().filter(l -> !l.isBlank()).toList();
            assertThat(lines).isNotEmpty();
            List<String> messages = new ArrayList<>();
            for (String line : lines) {
                com.fasterxml.jackson.databind.JsonNode entry = io.modeld.Json.MAPPER.readTree(line);
                assertThat(entry.path("level").asText()).as(line).isNotEmpty();
                messages.add(entry.path("message").asText());
            }
            assertThat(messages).anyMatch(m -> m.contains("catalog merged"));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void flags_win_over_variables() throws Exception {
        Path fromFlag = tmp.resolve("from-flag");
        Path fromEnv = tmp.resolve("from-env");
        Process p = modeld(Map.of("MODELD_DATA_DIR", fromEnv.toString()),
                "serve", "--port", "0", "--data-dir", fromFlag.toString());
        try {
            assertThat(firstLine(p)).contains(fromFlag.toString());
            assertThat(fromFlag.resolve("modeld.db")).exists();
            assertThat(fromEnv).doesNotExist();
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_bad_option_fails_with_one_line_and_a_usage_exit_code() throws Exception {
        Process p = modeld(Map.of(), "serve", "--port", "0", "--memory-budget", "lots", "--data-dir",
                tmp.toString());
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(ExitCodes.USAGE);
        assertThat(err.strip()).isEqualTo("modeld: --memory-budget: 'lots' is not a size: use e.g. 6GiB, 512MiB or 8GB");

        Process gpu = modeld(Map.of("MODELD_GPU", "metal"), "serve", "--port", "0", "--data-dir", tmp.toString());
        assertThat(gpu.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(gpu.exitValue()).isEqualTo(ExitCodes.USAGE);
        assertThat(new String(gpu.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                .isEqualTo("modeld: --gpu: auto, vulkan, cuda or none: the GPU backend the runners load (from modeld's "
                        + "next start)");

        Process remotes = modeld(Map.of("OLLAMA_REMOTES", "gpu box"), "serve", "--port", "0", "--data-dir",
                tmp.toString());
        assertThat(remotes.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(remotes.exitValue()).isEqualTo(ExitCodes.USAGE);
        assertThat(new String(remotes.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("--remotes: host or host:port names").contains("'gpu box'");

        Process unknown = modeld(Map.of(), "serve", "--colour");
        assertThat(unknown.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(unknown.exitValue()).isEqualTo(2);
        assertThat(new String(unknown.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("Unknown option: '--colour'");
    }

    @Test
    void the_api_key_may_come_from_a_file_as_a_containers_secret_is_mounted() throws Exception {
        Path secret = tmp.resolve("key");
        Files.writeString(secret, "a-key-from-a-mounted-secret\n");
        Process p = modeld(Map.of("MODELD_API_KEY_FILE", secret.toString()), "serve", "--port", "0", "--ollama-port",
                "0", "--data-dir", tmp.resolve("data").toString());
        try {
            Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(firstLine(p));
            assertThat(m.find()).isTrue();
            URI models = URI.create("http://127.0.0.1:" + m.group(1) + "/models");
            HttpClient client = HttpClient.newHttpClient();
            assertThat(client.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(401);
            assertThat(client.send(HttpRequest.newBuilder(models).header("Authorization",
                    "Bearer a-key-from-a-mounted-secret").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        Process missing = modeld(Map.of(), "serve", "--port", "0", "--api-key-file", tmp.resolve("none").toString(),
                "--data-dir", tmp.resolve("data2").toString());
        assertThat(missing.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(missing.exitValue()).isEqualTo(ExitCodes.USAGE);
        assertThat(new String(missing.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("--api-key-file " + tmp.resolve("none") + " cannot be read");
    }

    @Test
    void the_stores_under_home_are_used_in_place_unless_no_library() throws Exception {
        Path home = tmp.resolve("home");
        Path gguf = tmp.resolve("tiny.gguf");
        TinyModels.qwen3(gguf, 1);
        LibraryLayouts.ollama(home.resolve(".ollama/models"), "library", "tiny", "latest", gguf, null);
        LibraryLayouts.huggingFace(home.resolve(".cache/huggingface/hub"), "acme", "Tiny-GGUF", "abc", "t-Q8_0.gguf",
                gguf, true);
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.copy(gguf, mine.resolve("mine.gguf"));
        for (boolean noLibrary : new boolean[] {false, true}) {
            List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--ollama-port", "0",
                    "--no-spare-runner", "--data-dir", tmp.resolve("data").toString()));
            if (noLibrary) {
                args.add("--no-library");
            }
            Process p = modeld(Map.of("HOME", home.toString(), "MODELD_LIBRARY", mine.toString()),
                    args.toArray(String[]::new));
            try {
                Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(firstLine(p));
                assertThat(m.find()).isTrue();
                HttpResponse<String> tags = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + m.group(1) + "/api/tags")).build(), HttpResponse.BodyHandlers.ofString());
                if (noLibrary) {
                    assertThat(tags.body()).contains("\"mine:latest\"").doesNotContain("tiny:latest", "hf.co/");
                } else {
                    assertThat(tags.body()).contains("\"tiny:latest\"", "\"hf.co/acme/Tiny-GGUF:Q8_0\"", "\"mine:latest\"");
                }
            } finally {
                p.destroy();
                p.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void help_lists_every_serve_option() throws Exception {
        Process p = modeld(Map.of(), "serve", "--help");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("--host", "--port", "--data-dir", "--catalog", "--memory-budget", "--keep-alive",
                "--max-downloads", "--connections", "--allowed-origins", "MODELD_PORT", "--api-key", "--ollama-port",
                "--llama-lib", "spare-runner", "MODELD_OLLAMA_PORT", "--library", "--no-library", "MODELD_LIBRARY");
    }

    @Test
    void every_run_time_setting_is_a_serve_flag_of_its_own_name() {
        java.util.Set<String> flags = new java.util.HashSet<>();
        for (java.lang.reflect.Field f : ServeCommand.class.getDeclaredFields()) {
            picocli.CommandLine.Option o = f.getAnnotation(picocli.CommandLine.Option.class);
            if (o != null) {
                flags.addAll(java.util.List.of(o.names()));
            }
        }
        for (io.modeld.config.Setting s : io.modeld.config.Setting.values()) {
            if (s != io.modeld.config.Setting.COPILOT_MODEL) {   // a model: chosen once models are known
                assertThat(flags).as(s.key()).contains("--" + s.cliName());
            }
        }
    }
}
