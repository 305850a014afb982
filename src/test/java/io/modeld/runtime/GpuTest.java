package io.modeld.runtime;

import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.config.Config;
import io.modeld.engine.NativeBundle;
import io.modeld.gguf.GgufHeaders;
import io.modeld.gguf.MemoryEstimate;
import io.modeld.gguf.TinyLlama;
import io.modeld.testing.Downloading;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llama.cpp's real Vulkan backend (the bundled {@code libggml-vulkan.so} of the same release) on Mesa's software
 * driver, lavapipe, which presents the CPU as a Vulkan device: ggml leaves such a device out unless it is named,
 * so these daemons name it ({@code --gpu-devices 0}). The device is found and shown, a model's layers go on it as
 * far as they fit, the same greedy tokens come out as on the CPU, and where the backend cannot serve, auto falls
 * back to the CPU and a backend named on purpose is refused, saying why.
 */
class GpuTest {

    /** A tiny llama of six layers (seven to place): enough to place some and not others. */
    private static final TinyLlama SIX = new TinyLlama(32, 6, 96, 4, 4, 4096);

    @TempDir
    Path home;

    private static boolean lavapipe() {
        return Files.isRegularFile(Path.of("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"))
                && Stream.of("/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/lib/x86_64-linux-gnu/libvulkan.so.1")
                .anyMatch(p -> Files.exists(Path.of(p)));
    }

    /**
     * A daemon on {@code gpu}, without a prompt cache: a model loaded again to compare the GPU with the CPU must
     * read its prompt itself, not find the other load's state.
     */
    private Config config(String dir, Config.Gpu gpu) {
        return Config.forDataDir(home.resolve(dir)).toBuilder().gpu(gpu).context(512).parallel(1).promptCache(0, 0)
                .build();
    }

    private static JsonNode loaded(TestDaemon daemon) {
        return ok(daemon.get("/memory")).get("loaded").get(0);
    }

    /** Greedy tokens from Ollama's door, with {@code numGpu} layers asked for (null: the daemon's). */
    private static String greedy(TestDaemon daemon, String model, Integer numGpu) {
        return ok(daemon.post("/api/generate", "{\"model\": \"" + model + "\", \"prompt\": \"Hello there\", "
                + "\"raw\": true, \"stream\": false, \"options\": {\"temperature\": 0, \"num_predict\": 24"
                + (numGpu == null ? "" : ", \"num_gpu\": " + numGpu) + "}}")).get("response").asText();
    }

    /** The value of the sample named {@code series} in a Prometheus scrape; NaN when there is none. */
    private static double sample(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1).strip())).findFirst().orElse(Double.NaN);
    }

    @Test
    void the_device_is_found_the_layers_go_on_it_and_the_tokens_are_the_cpus() throws Exception {
        assumeTrue(lavapipe(), "Mesa's lavapipe is not installed (.ci/run installs mesa-vulkan-drivers)");
        Path file = home.resolve("six.gguf");
        SIX.write(file, 77);
        try (TestDaemon daemon = TestDaemon.start(config("data", new Config.Gpu("vulkan", -1, 0, "0")))) {
            String id = Downloading.downloaded(daemon, file, "six");
            String onGpu = greedy(daemon, "six", null);

            JsonNode memory = ok(daemon.get("/memory"));
            JsonNode device = memory.get("devices").get(0);
            assertThat(device.get("name").asText()).isEqualTo("Vulkan0");
            assertThat(device.get("description").asText()).contains("llvmpipe");
            assertThat(device.get("total").asLong()).isPositive();
            assertThat(memory.get("gpuNote").asText()).startsWith("GPU: vulkan on Vulkan0");
            JsonNode model = loaded(daemon);
            assertThat(model.get("device").asText()).isEqualTo("Vulkan0");
            assertThat(model.get("layers").asInt()).as("six repeating layers and the output one").isEqualTo(7);
            assertThat(model.get("gpuLayers").asInt()).as("all fit").isEqualTo(7);
            assertThat(device.get("used").asLong()).isEqualTo(model.get("deviceBytes").asLong()).isPositive();

            JsonNode ps = ok(daemon.get("/api/ps")).get("models").get(0);
            assertThat(ps.get("size_vram").asLong()).isEqualTo(model.get("deviceBytes").asLong());
            assertThat(ps.get("size").asLong()).isGreaterThan(ps.get("size_vram").asLong());
            assertThat(ok(daemon.get("/model/" + id)).get("cpu").asBoolean()).as("Pieces' Model.cpu").isFalse();
            String scrape = daemon.get("/metrics").body();
            assertThat(sample(scrape, "modeld_gpu_memory_used_bytes{device=\"Vulkan0\"}"))
                    .isEqualTo((double) model.get("deviceBytes").asLong());
            assertThat(sample(scrape, "modeld_gpu_memory_budget_bytes{device=\"Vulkan0\"}"))
                    .isEqualTo((double) device.get("budget").asLong());

            // num_gpu 0: the same model again, all on the CPU, in a runner that has the Vulkan backend loaded
            String onCpu = greedy(daemon, "six", 0);
            assertThat(loaded(daemon).get("gpuLayers").asInt()).isZero();
            assertThat(ok(daemon.get("/api/ps")).get("models").get(0).get("size_vram").asLong()).isZero();
            assertThat(ok(daemon.get("/model/" + id)).get("cpu").asBoolean()).isTrue();
            assertThat(onGpu).as("greedy: the GPU gives the CPU's tokens").isNotEmpty().isEqualTo(onCpu);
        }
    }

    @Test
    void an_embedder_on_the_device_gives_the_cpus_vectors() throws Exception {
        assumeTrue(lavapipe(), "Mesa's lavapipe is not installed (.ci/run installs mesa-vulkan-drivers)");
        Path file = home.resolve("bert.gguf");
        io.modeld.gguf.TinyModels.bertEmbedder(file, 81);
        try (TestDaemon daemon = TestDaemon.start(config("data", new Config.Gpu("vulkan", -1, 0, "0")))) {
            Downloading.downloaded(daemon, file, "bert");
            JsonNode onGpu = ok(daemon.post("/api/embed", "{\"model\": \"bert\", \"input\": \"the cat sat on the mat\"}"));
            JsonNode model = loaded(daemon);
            assertThat(model.get("role").asText()).isEqualTo("embedder");
            assertThat(model.get("gpuLayers").asInt()).isEqualTo(model.get("layers").asInt()).isPositive();
            JsonNode onCpu = ok(daemon.post("/api/embed", "{\"model\": \"bert\", \"input\": \"the cat sat on the mat\", "
                    + "\"options\": {\"num_gpu\": 0}}"));
            assertThat(loaded(daemon).get("gpuLayers").asInt()).isZero();
            JsonNode a = onGpu.get("embeddings").get(0);
            JsonNode b = onCpu.get("embeddings").get(0);
            assertThat(a.size()).isEqualTo(b.size()).isPositive();
            double dot = 0;
            for (int i = 0; i < a.size(); i++) {
                dot += a.get(i).asDouble() * b.get(i).asDouble();   // both normalized
            }
            assertThat(dot).as("the same vector, to float rounding").isGreaterThan(0.9999);
        }
    }

    @Test
    void an_image_is_read_on_the_device_as_on_the_cpu() throws Exception {
        assumeTrue(lavapipe(), "Mesa's lavapipe is not installed (.ci/run installs mesa-vulkan-drivers)");
        Path file = home.resolve("seer.gguf");
        Path mmproj = home.resolve("mmproj-seer.gguf");
        TinyLlama.CHAT.write(file, 83);
        io.modeld.gguf.TinyProjector.CHAT.write(mmproj, 84);
        try (TestDaemon daemon = TestDaemon.start(config("data", new Config.Gpu("vulkan", -1, 0, "0")))) {
            com.fasterxml.jackson.databind.node.ObjectNode create = io.modeld.Json.MAPPER.createObjectNode()
                    .put("name", "seer").put("unique", "seer");
            create.putObject("source").put("url", file.toUri().toString()).putObject("projector")
                    .put("url", mmproj.toUri().toString());
            String id = ok(daemon.post("/models/create", create)).get("id").asText();
            assertThat(Downloading.download(daemon, id).get("downloaded").asBoolean()).isTrue();
            String image = java.util.Base64.getEncoder().encodeToString(io.modeld.testing.TestImages.png(48, 40, 6));
            java.util.function.Function<String, JsonNode> ask = options -> ok(daemon.post("/api/chat",
                    "{\"model\": \"seer\", \"stream\": false, \"messages\": [{\"role\": \"user\", \"content\": "
                            + "\"What is this?\", \"images\": [\"" + image + "\"]}], \"options\": {\"temperature\": 0, "
                            + "\"num_predict\": 12" + options + "}}"));
            JsonNode onGpu = ask.apply("");
            assertThat(loaded(daemon).get("gpuLayers").asInt()).isPositive();
            JsonNode onCpu = ask.apply(", \"num_gpu\": 0");
            assertThat(loaded(daemon).get("gpuLayers").asInt()).isZero();
            assertThat(onGpu.get("prompt_eval_count").asInt()).as("the image's embeddings counted")
                    .isGreaterThan(io.modeld.gguf.TinyProjector.CHAT.tokensPerImage())
                    .isEqualTo(onCpu.get("prompt_eval_count").asInt());
            assertThat(onGpu.get("message").get("content").asText()).as("greedy, the projector on the GPU with its model")
                    .isEqualTo(onCpu.get("message").get("content").asText());
        }
    }

    @Test
    void a_model_that_does_not_fit_the_device_puts_fewer_layers_on_it() throws Exception {
        assumeTrue(lavapipe(), "Mesa's lavapipe is not installed (.ci/run installs mesa-vulkan-drivers)");
        Path file = home.resolve("six.gguf");
        SIX.write(file, 78);
        MemoryEstimate e = MemoryEstimate.of(GgufHeaders.shared().read(file), Files.size(file), 512, 1, 2.0);
        long room = DeviceFit.cost(e, 6, 3) + 1000;   // three layers and a little: not four
        try (TestDaemon daemon = TestDaemon.start(config("data", new Config.Gpu("vulkan", -1, room, "0")))) {
            Downloading.downloaded(daemon, file, "six");
            String partial = greedy(daemon, "six", null);
            JsonNode model = loaded(daemon);
            assertThat(model.get("gpuLayers").asInt()).isEqualTo(3);
            assertThat(model.get("deviceBytes").asLong()).isEqualTo(DeviceFit.cost(e, 6, 3)).isLessThanOrEqualTo(room);
            JsonNode device = ok(daemon.get("/memory")).get("devices").get(0);
            assertThat(device.get("budget").asLong()).as("--gpu-memory").isEqualTo(room);

            String all = greedy(daemon, "six", 7);   // asked for: given, not fitted (llama-server's -ngl)
            assertThat(loaded(daemon).get("gpuLayers").asInt()).isEqualTo(7);
            assertThat(partial).as("split between the CPU and the device, the same greedy tokens").isEqualTo(all);

            // a Modelfile's PARAMETER num_gpu, as Ollama's /api/create writes it: that model's own count
            ok(daemon.post("/api/create", "{\"model\": \"six-two\", \"from\": \"six\", \"parameters\": {\"num_gpu\": 2}}"));
            daemon.post("/api/generate", "{\"model\": \"six\", \"keep_alive\": 0}");   // unload it: room for the next
            greedy(daemon, "six-two", null);
            JsonNode two = loaded(daemon);
            assertThat(two.get("gpuLayers").asInt()).isEqualTo(2);
        }
    }

    @Test
    void auto_uses_the_cpu_when_the_vulkan_loader_cannot_load_and_a_named_backend_is_refused() throws Exception {
        // the bundle copied, with a libvulkan.so.1 beside the Vulkan backend that is no library: its RUNPATH
        // ($ORIGIN first) finds that one, so the backend fails to load as it does where the loader is missing
        Path bundled = NativeBundle.llamaDir(Path.of("target"));
        Path lib = home.resolve("llama");
        try (Stream<Path> files = Files.walk(bundled)) {
            for (Path p : files.toList()) {
                Path to = lib.resolve(bundled.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        assertThat(lib.resolve("gpu/libggml-vulkan.so")).as("the build bundles the Vulkan backend").isRegularFile();
        Files.writeString(lib.resolve("gpu/libvulkan.so.1"), "not a library");
        Path file = home.resolve("tiny.gguf");
        TinyLlama.TINY.write(file, 79);

        Config auto = config("auto", new Config.Gpu("auto", -1, 0, "0")).toBuilder().llamaLib(lib).build();
        try (TestDaemon daemon = TestDaemon.start(auto)) {
            Downloading.downloaded(daemon, file, "tiny");
            assertThat(greedy(daemon, "tiny", null)).isNotNull();
            JsonNode memory = ok(daemon.get("/memory"));
            assertThat(memory.get("devices")).isEmpty();
            assertThat(memory.get("gpuNote").asText()).startsWith("no GPU: the CPU serves")
                    .contains("libggml-vulkan.so did not load (is the Vulkan loader, libvulkan.so.1, installed?)");
            assertThat(loaded(daemon).get("gpuLayers").asInt()).isZero();
            assertThat(daemon.get("/readyz").statusCode()).isEqualTo(200);
        }

        Config named = config("named", new Config.Gpu("vulkan", -1, 0, "0")).toBuilder().llamaLib(lib)
                .spareRunner(true).build();
        try (TestDaemon daemon = TestDaemon.start(named)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> daemon.get("/readyz").statusCode() == 503);
            assertThat(daemon.get("/readyz").body()).contains("--gpu vulkan cannot be used: vulkan: "
                    + "libggml-vulkan.so did not load").contains("use --gpu auto to fall back to the CPU");
        }
    }

    @Test
    void a_model_the_gpu_fails_loads_on_the_cpu_and_says_why() throws Exception {
        assumeTrue(lavapipe(), "Mesa's lavapipe is not installed (.ci/run installs mesa-vulkan-drivers)");
        Path file = home.resolve("six.gguf");
        SIX.write(file, 80);
        java.util.List<String> command = new java.util.ArrayList<>(io.modeld.testing.CoreFixture.runnerCommand(
                new io.modeld.config.DataDir(home.resolve("data"))));
        command.addAll(command.indexOf("-cp"), java.util.List.of("-D" + RunnerMain.GPU + "=vulkan",
                "-D" + RunnerMain.GPU_DEVICES + "=0"));
        try (ProcessRunner runner = ProcessRunner.start(command, Config.DEFAULT_STEP_TIMEOUT)) {
            assertThat(runner.devices()).extracting(io.modeld.engine.Device::name).containsExactly("Vulkan0");
            // a device this runner does not have (a daemon whose list went stale): the load goes on without it
            ModelRunner.Loaded loaded = runner.load(new ModelRunner.Load(java.util.List.of(file), 512, 2,
                    io.modeld.gguf.ModelRole.GENERATOR, false, 1, 0, io.modeld.engine.KvCache.DEFAULT)
                    .at(new io.modeld.engine.Placement("Vulkan7", 4)));
            assertThat(loaded.placement()).isEqualTo(io.modeld.engine.Placement.CPU);
            assertThat(loaded.gpuProblem()).isEqualTo("Vulkan7: no device Vulkan7 in this runner");
            RunnerResult r = runner.generate(new RunnerRequest("Hello", null, 4,
                    io.modeld.engine.Sampling.DEFAULT.withSeed(1), java.util.List.of(), true), t -> { });
            assertThat(r.tokens()).isEqualTo(4);
        }
    }

    @Test
    void on_auto_a_cpu_vulkan_device_is_left_out_and_cuda_is_refused_where_it_cannot_run() {
        try (TestDaemon daemon = TestDaemon.start(config("auto", Config.Gpu.AUTO).toBuilder().spareRunner(true)
                .build())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ok(daemon.get("/memory")).hasNonNull("gpuNote"));
            JsonNode memory = ok(daemon.get("/memory"));
            assertThat(memory.get("devices")).as("lavapipe is a CPU, not a GPU, unless named").isEmpty();
            assertThat(memory.get("gpuNote").asText()).startsWith("no GPU: the CPU serves (")
                    .contains("cuda: this build carries no CUDA backend (build the jar with mvn -Pcuda package)");
        }
        try (TestDaemon daemon = TestDaemon.start(config("cuda", new Config.Gpu("cuda", -1, 0, ""))
                .toBuilder().spareRunner(true).build())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> daemon.get("/readyz").statusCode() == 503);
            assertThat(daemon.get("/readyz").body()).contains("--gpu cuda cannot be used: cuda: this build carries "
                    + "no CUDA backend (build the jar with mvn -Pcuda package)");
        }
    }
}
