package io.modeld.web;

import static io.modeld.testing.Catalogs.BUILT_IN;
import static io.modeld.testing.Catalogs.LISTED;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.modeld.gguf.TinyLlama;
import io.modeld.gguf.TinyModels;
import io.modeld.testing.AgentModels;
import io.modeld.testing.Downloading;
import io.modeld.testing.FileServer;
import io.modeld.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, which .ci/run
 * installs; elsewhere the test is skipped with a notice): download with a live bar, load, add a model.
 */
class DashboardTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestDaemon daemon = TestDaemon.perTest();
    @TempDir
    Path tmp;
    ChromeDriver browser;

    @BeforeEach
    void start() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present) {
            System.out.println("NOTICE: DashboardTest skipped: install Debian's chromium and chromium-driver");
        }
        assumeTrue(present, "chromium and chromium-driver are not installed");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toString()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1300,900",
                // No network but loopback (Chromium never proxies it): anything fetched from elsewhere would fail.
                "--proxy-server=http://127.0.0.1:9",
                "--user-data-dir=" + tmp.resolve("profile"));
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(),
                options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    /**
     * Waits for the page: an element not there yet (the chat's answer appears once the question is stored) is
     * looked for again, and a row re-rendered by a live update between a find and its use is found again.
     */
    private static org.awaitility.core.ConditionFactory ui() {
        return await().atMost(WAIT).ignoreExceptionsMatching(e -> e instanceof org.openqa.selenium.StaleElementReferenceException
                || e instanceof org.openqa.selenium.NoSuchElementException);
    }

    private void click(String id, String action) {
        ui().until(() -> {
            row(id).findElement(By.cssSelector("button[data-action=" + action + "]")).click();
            return true;
        });
    }

    /** The points of the chart's series, all series together. */
    private long points(String chart) {
        return ((Number) browser.executeScript("return [...document.querySelectorAll(arguments[0] + ' polyline')]"
                + ".reduce((n, p) => n + Number(p.dataset.points), 0)", chart)).longValue();
    }

    /** A screenshot of the page as it is, in target/screenshots/NAME.png. */
    private void shoot(String name) throws java.io.IOException {
        if (!name.equals("model-page")) {
            browser.executeScript("window.scrollTo(0, 0)");
        }
        Path shot = Path.of("target", "screenshots", name + ".png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(shot)).isPositive();
    }

    private WebElement row(String id) {
        return browser.findElement(By.id("model-" + id));
    }

    private String state(String id) {
        return row(id).findElement(By.className("state")).getText();
    }

    @Test
    void download_with_a_live_bar_then_load_and_add_a_model() throws Exception {
        Path model = tmp.resolve("dash.gguf");
        TinyLlama.TINY.write(model, 21);
        byte[] data = Files.readAllBytes(model);
        try (FileServer files = FileServer.start().serve("/dash.gguf", data).capPerConnection(48 << 10)) {
            String id = ok(daemon.post("/models/create", "{\"name\": \"Dash\", \"unique\": \"dash\", \"source\": {\"url\": \""
                    + files.uri("/dash.gguf") + "\", \"sha256\": \"" + FileServer.sha256(data) + "\"}}"))
                    .get("id").asText();
            browser.get("http://127.0.0.1:" + daemon.port() + "/");
            ui().until(() -> !browser.findElements(By.id("model-" + id)).isEmpty());
            assertThat(browser.findElements(By.cssSelector("#models tbody tr"))).hasSize(BUILT_IN + 1);
            assertThat(browser.findElement(By.cssSelector("#models tbody tr")).getAttribute("id"))
                    .as("the user's own model above the catalog's").isEqualTo("model-" + id);
            ui().until(() -> state(id).equals("available"));

            click(id, "download");
            ui().until(() -> state(id).equals("downloading"));
            ui().until(() -> row(id).findElement(By.className("progress-text")).getText()
                    .matches("\\d+\\.\\d% .*"));
            ui().until(() -> state(id).equals("downloaded"));
            ui().until(() -> row(id).findElement(By.cssSelector(".bar > div")).getAttribute("style")
                    .contains("width: 100%"));

            click(id, "load");
            ui().until(() -> state(id).equals("loaded"));
            ui().until(() -> !browser.findElement(By.id("memory-text")).getText().startsWith("0 B"));

            browser.findElement(By.id("add-name")).sendKeys("Added in the browser");
            browser.findElement(By.id("add-url")).sendKeys("https://example.org/added.gguf");
            browser.findElement(By.cssSelector("#add button")).click();
            ui().until(() -> browser.findElements(By.cssSelector("#models tbody tr")).size() == BUILT_IN + 2);
            assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(LISTED + 2);

            shoot("models");

            // The model page: what the header says, and the download's speed over time.
            click(id, "details");
            ui().until(() -> browser.findElement(By.id("page-facts")).getText().contains("Architecture"));
            assertThat(browser.findElement(By.id("page-facts")).getText()).contains("llama").contains("Tensors")
                    .contains(FileServer.sha256(data)).contains("modeld's store");
            assertThat(points("#page-history")).isPositive();
            shoot("model-page");

            // The activity charts drew the download and the memory from the activity stream.
            browser.findElement(By.id("tab-activity")).click();
            ui().until(() -> points("#chart-downloads") > 0 && points("#chart-memory") > 0);
            shoot("activity");
            // Everything the page loaded came from the daemon (Chromium runs with no network but loopback).
            assertThat((Boolean) browser.executeScript("return performance.getEntriesByType('resource')"
                    + ".every(e => e.name.startsWith(location.origin) || e.name.startsWith('ws://' + location.host))"))
                    .isTrue();
        }
    }

    @Test
    void a_gpu_has_its_memory_bar_and_a_model_shows_its_layers_on_it() throws Exception {
        assumeTrue(java.nio.file.Files.isRegularFile(Path.of("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json")),
                "Mesa's lavapipe is not installed (.ci/run installs mesa-vulkan-drivers)");
        Path file = tmp.resolve("six.gguf");
        new TinyLlama(32, 6, 96, 4, 4, 4096).write(file, 85);
        // Mesa's lavapipe, the CPU as a Vulkan device, named so that ggml takes it
        try (TestDaemon gpu = TestDaemon.start(io.modeld.config.Config.forDataDir(tmp.resolve("gpu")).toBuilder()
                .gpu(new io.modeld.config.Config.Gpu("vulkan", -1, 0, "0")).context(512).parallel(1).build())) {
            Downloading.downloaded(gpu, file, "six");
            ok(gpu.post("/api/generate", "{\"model\": \"six\", \"prompt\": \"hi\", \"stream\": false, "
                    + "\"keep_alive\": -1, \"options\": {\"num_predict\": 2}}"));
            browser.get("http://127.0.0.1:" + gpu.port() + "/");
            // the bar is drawn anew each second: found again at each look. Some kB, MB or GB in use (not "0 B") of the
            // room modeld has there
            ui().until(() -> browser.findElement(By.cssSelector("#device-gauges .device[data-device=Vulkan0]"))
                    .getText().matches("Vulkan0\\s+[0-9.]+ [kMG]B of [0-9.]+ [MG]B"));
            browser.findElement(By.id("tab-activity")).click();
            ui().until(() -> browser.findElement(By.cssSelector("#slots .count")).getText()
                    .contains("7 of 7 layers on Vulkan0"));
            shoot("gpu");
        }
    }

    @Test
    void with_an_api_key_the_page_asks_for_it_once_and_then_works() throws Exception {
        String key = "a-team-key-0123456789abcdef";
        try (TestDaemon keyed = TestDaemon.start(io.modeld.config.Config.forDataDir(tmp.resolve("keyed")).toBuilder()
                .apiKey(key).build())) {
            browser.get("http://127.0.0.1:" + keyed.port() + "/");
            ui().until(() -> browser.findElement(By.id("key-dialog")).isDisplayed());
            browser.findElement(By.id("key-input")).sendKeys(key);
            browser.findElement(By.cssSelector("#key-dialog button")).click();
            ui().until(() -> browser.findElements(By.cssSelector("#models tbody tr")).size() == BUILT_IN);
            assertThat(browser.findElement(By.id("key-dialog")).isDisplayed()).isFalse();
            browser.navigate().refresh();
            ui().until(() -> browser.findElements(By.cssSelector("#models tbody tr")).size() == BUILT_IN);
            assertThat(browser.findElement(By.id("key-dialog")).isDisplayed()).as("asked once per tab").isFalse();
        }
    }

    @Test
    void chat_streams_and_stop_really_stops_the_generation() throws Exception {
        // A small model with a long context, so a generation runs long enough to be stopped.
        Path file = tmp.resolve("talker.gguf");
        new TinyLlama(256, 4, 1024, 4, 4, 8192).write(file, 5);
        String id = Downloading.downloaded(daemon, file, "talker");
        ok(daemon.post("/model/" + id + "/load", ""));
        browser.get("http://127.0.0.1:" + daemon.port() + "/#chat");
        ui().until(() -> browser.findElements(By.cssSelector("#chat-model option")).size() == 1);
        browser.findElement(By.id("chat-max-tokens")).clear();
        browser.findElement(By.id("chat-max-tokens")).sendKeys("8000");
        browser.findElement(By.cssSelector("#view-chat details summary")).click();
        browser.findElement(By.id("chat-ignore-eos")).click();
        browser.findElement(By.id("chat-input")).sendKeys("Tell me a long story");
        browser.findElement(By.id("chat-send")).click();
        ui().until(() -> browser.findElement(By.id("chat-stats")).getText().matches("\\d+ tokens.*")
                && busy(id));
        String before = browser.findElement(By.cssSelector(".message.assistant .body")).getText();
        shoot("chat");
        browser.findElement(By.id("chat-stop")).click();
        ui().until(() -> browser.findElement(By.id("chat-stats")).getText().equals("stopped"));
        // The runner stopped generating: the model is no longer busy, long before 8000 tokens.
        await().atMost(Duration.ofSeconds(10)).until(() -> !busy(id));
        String after = browser.findElement(By.cssSelector(".message.assistant .body")).getText();
        assertThat(after.length()).isGreaterThanOrEqualTo(before.length());
        Thread.sleep(500);
        assertThat(browser.findElement(By.cssSelector(".message.assistant .body")).getText()).isEqualTo(after);
        assertThat(browser.findElement(By.id("chat-send")).isEnabled()).isTrue();
    }

    @Test
    void a_remote_model_shows_its_server_answers_chats_and_then_that_the_server_is_down() throws Exception {
        TestDaemon team = TestDaemon.start(io.modeld.config.Config.forDataDir(tmp.resolve("team")));
        String teamUrl = "http://127.0.0.1:" + team.port();
        try (TestDaemon laptop = TestDaemon.start(io.modeld.config.Config.forDataDir(tmp.resolve("laptop")).toBuilder()
                .remotes(java.util.List.of("127.0.0.1")).build())) {
            try {
                io.modeld.testing.AgentModels.hello(team, tmp, "hello");
                ok(laptop.post("/api/create", "{\"model\": \"greeter\", \"from\": \"hello\", \"remote_host\": \""
                        + teamUrl + "\", \"stream\": false}"));
                browser.get("http://127.0.0.1:" + laptop.port() + "/");
                String where = "remote · 127.0.0.1:" + team.port();
                ui().until(() -> browser.findElement(By.cssSelector("#models tbody tr .state")).getText()
                        .matches(java.util.regex.Pattern.quote(where) + " · \\d+ ms"));
                assertThat(browser.findElements(By.cssSelector("#models tbody tr:first-child [data-action=download]"))).isEmpty();
                assertThat(browser.findElements(By.cssSelector("#models tbody tr:first-child [data-action=details]"))).hasSize(1);

                browser.get("http://127.0.0.1:" + laptop.port() + "/#chat");
                browser.navigate().refresh();   // the same page: only its hash changed
                ui().until(() -> browser.findElements(By.cssSelector("#chat-model option")).size() == 1);
                browser.findElement(By.id("chat-input")).sendKeys("Hi");
                browser.findElement(By.id("chat-send")).click();
                ui().until(() -> browser.findElement(By.cssSelector(".message.assistant .body")).getText()
                        .equals("Hello, world!"));
            } finally {
                team.close();
            }
            browser.get("http://127.0.0.1:" + laptop.port() + "/");
            ui().until(() -> browser.findElement(By.cssSelector("#models tbody tr .state")).getText()
                    .equals("remote · 127.0.0.1:" + team.port() + " · down"));
            assertThat(browser.findElement(By.cssSelector("#models tbody tr .state")).getAttribute("title"))
                    .contains("cannot be reached");
            shoot("remote");
        }
    }

    private boolean busy(String id) {
        for (var m : ok(daemon.get("/memory")).get("loaded")) {
            if (m.get("id").asText().equals(id)) {
                return m.get("busy").asBoolean();
            }
        }
        return false;
    }

    @Test
    void an_answer_with_markup_is_shown_as_text() throws Exception {
        Path file = tmp.resolve("quoter.gguf");
        TinyModels.qwen3(file, 7);
        Downloading.downloaded(daemon, file, "quoter");
        browser.get("http://127.0.0.1:" + daemon.port() + "/#chat");
        ui().until(() -> browser.findElements(By.cssSelector("#chat-model option")).size() == 1);
        browser.findElement(By.id("chat-max-tokens")).clear();
        browser.findElement(By.id("chat-max-tokens")).sendKeys("200");
        browser.findElement(By.cssSelector("#view-chat details summary")).click();
        String evil = "<script>window.pwned=1</script><img src=x onerror=window.pwned=2><b>bold</b>";
        browser.findElement(By.id("chat-schema")).sendKeys("{\"const\": \"" + evil + "\"}");
        browser.findElement(By.id("chat-input")).sendKeys("Say it");
        browser.findElement(By.id("chat-send")).click();
        ui().until(() -> "true".equals(browser.findElement(By.cssSelector(".message.assistant .body")).getAttribute("data-done")));
        WebElement answer = browser.findElement(By.cssSelector(".message.assistant .body"));
        assertThat(answer.getText()).contains(evil);
        assertThat(answer.findElements(By.cssSelector("script, img, b"))).isEmpty();
        assertThat(browser.executeScript("return window.pwned")).isNull();
    }

    @Test
    void answers_are_markdown_rendered_by_the_bundled_renderer_with_tables_and_highlighted_code() throws Exception {
        Path file = tmp.resolve("writer.gguf");
        new io.modeld.gguf.ScriptedLlama(TinyLlama.CHATML, java.util.List.of(), "\n", java.util.List.of("| a | b |\n",
                "|---|---|\n", "| 1 | [two](https://example.org/2) |\n\n", "- one\n", "  - nested\n\n", "```java\n",
                "int x = 1;\n", "```"), null, java.util.List.of()).write(file);
        Downloading.downloaded(daemon, file, "writer");
        browser.get("http://127.0.0.1:" + daemon.port() + "/#chat");
        ui().until(() -> browser.findElements(By.cssSelector("#chat-model option")).size() == 1);
        browser.findElement(By.id("chat-input")).sendKeys("Write");
        browser.findElement(By.id("chat-send")).click();
        ui().until(() -> "true".equals(browser.findElement(By.cssSelector(".message.assistant .body")).getAttribute("data-done")));
        WebElement answer = browser.findElement(By.cssSelector(".message.assistant .body"));
        assertThat(answer.findElements(By.cssSelector("table th"))).extracting(WebElement::getText).containsExactly("a", "b");
        assertThat(answer.findElements(By.cssSelector("ul li ul li"))).extracting(WebElement::getText).containsExactly("nested");
        WebElement link = answer.findElement(By.cssSelector("table a"));
        assertThat(link.getAttribute("rel")).contains("noopener");
        assertThat(answer.findElement(By.cssSelector("pre code.hljs")).getText()).isEqualTo("int x = 1;");
        assertThat(answer.findElements(By.cssSelector("pre code span[class^='hljs-']"))).as("highlighted").isNotEmpty();
        shoot("chat-markdown");
    }

    @Test
    void an_image_attached_in_the_chat_goes_to_a_model_that_sees() throws Exception {
        Path model = tmp.resolve("seer.gguf");
        Path projector = tmp.resolve("mmproj-seer.gguf");
        TinyLlama.CHAT.write(model, 91);
        io.modeld.gguf.TinyProjector.CHAT.write(projector, 92);
        com.fasterxml.jackson.databind.node.ObjectNode body = io.modeld.Json.MAPPER.createObjectNode()
                .put("name", "seer").put("unique", "seer");
        body.putObject("source").put("url", model.toUri().toString()).putObject("projector")
                .put("url", projector.toUri().toString());
        String id = ok(daemon.post("/models/create", body)).get("id").asText();
        assertThat(Downloading.download(daemon, id).path("downloaded").asBoolean()).isTrue();
        Path image = tmp.resolve("picture.png");
        Files.write(image, io.modeld.testing.TestImages.png(48, 32, 7));

        browser.get("http://127.0.0.1:" + daemon.port() + "/#chat");
        ui().until(() -> browser.findElements(By.cssSelector("#chat-model option")).size() == 1);
        browser.findElement(By.id("chat-max-tokens")).clear();
        browser.findElement(By.id("chat-max-tokens")).sendKeys("4");
        browser.findElement(By.id("chat-attach")).sendKeys(image.toString());
        ui().until(() -> browser.findElements(By.cssSelector("#chat-attachments .attachment img")).size() == 1);
        browser.findElement(By.id("chat-input")).sendKeys("What is in this picture?");
        browser.findElement(By.id("chat-send")).click();
        ui().until(() -> "true".equals(browser.findElement(By.cssSelector(".message.assistant .body")).getAttribute("data-done")));
        assertThat(browser.findElement(By.id("chat-error")).getText()).isEmpty();
        assertThat(browser.findElements(By.cssSelector(".message.user .media img"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#chat-attachments .attachment"))).as("sent, so cleared").isEmpty();
        // the prompt held the image's embeddings: more tokens than the words and the template make
        String stats = browser.findElement(By.id("chat-stats")).getText();
        int prompt = Integer.parseInt(stats.replaceAll(" prompt tokens.*", ""));
        assertThat(prompt).isGreaterThan(io.modeld.gguf.TinyProjector.CHAT.tokensPerImage() + 8);
        shoot("chat-image");
    }

    @Test
    void a_reasoning_models_thinking_is_folded_above_its_answer() throws Exception {
        AgentModels.thinker(daemon, tmp, "thinker");
        browser.get("http://127.0.0.1:" + daemon.port() + "/#chat");
        ui().until(() -> browser.findElements(By.cssSelector("#chat-model option")).size() == 1);
        browser.findElement(By.id("chat-input")).sendKeys("Hi");
        browser.findElement(By.id("chat-send")).click();
        ui().until(() -> "true".equals(browser.findElement(By.cssSelector(".message.assistant .body")).getAttribute("data-done")));
        assertThat(browser.findElement(By.cssSelector(".message.assistant .body")).getText()).isEqualTo("Hello.");
        WebElement box = browser.findElement(By.cssSelector(".message.assistant details.thinking"));
        assertThat(box.isDisplayed()).isTrue();
        assertThat(box.getAttribute("open")).as("folded").isNull();
        assertThat(box.findElement(By.cssSelector(".thought")).isDisplayed()).isFalse();
        box.findElement(By.tagName("summary")).click();
        assertThat(box.findElement(By.cssSelector(".thought")).getText()).isEqualTo("Let me think.");
        shoot("chat-thinking");
    }

    @Test
    void a_models_tool_calls_are_folded_boxes_whose_results_the_user_sends_back() throws Exception {
        AgentModels.qwen3(daemon, tmp, "qwen3-agent");
        browser.get("http://127.0.0.1:" + daemon.port() + "/#chat");
        ui().until(() -> browser.findElements(By.cssSelector("#chat-model option")).size() == 1);
        browser.findElement(By.cssSelector("#view-chat details summary")).click();
        browser.findElement(By.id("chat-tools")).sendKeys("[{\"type\": \"function\", \"function\": {\"name\": "
                + "\"get_weather\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": "
                + "\"string\"}}}}}]");
        browser.findElement(By.id("chat-input")).sendKeys("What is the weather in Paris?");
        browser.findElement(By.id("chat-send")).click();
        ui().until(() -> !browser.findElements(By.cssSelector(".message.assistant details.tool-call")).isEmpty());
        WebElement call = browser.findElement(By.cssSelector(".message.assistant details.tool-call"));
        assertThat(call.findElement(By.tagName("summary")).getText()).isEqualTo("Tool call: get_weather");
        assertThat(call.getAttribute("open")).as("folded").isNull();
        call.findElement(By.tagName("summary")).click();
        assertThat(call.findElement(By.cssSelector("pre.arguments")).getText()).contains("\"city\"").contains("Paris");
        call.findElement(By.cssSelector(".tool-result input")).sendKeys("{\"temperature\": 21}");
        call.findElement(By.cssSelector(".tool-result button")).click();
        ui().until(() -> browser.findElements(By.cssSelector(".message.assistant .body")).size() == 2
                && "true".equals(browser.findElements(By.cssSelector(".message.assistant .body")).get(1).getAttribute("data-done")));
        assertThat(browser.findElements(By.cssSelector(".message.assistant .body")).get(1).getText())
                .isEqualTo("It is 21 degrees.");
        assertThat(call.findElement(By.cssSelector("pre.result")).getText()).isEqualTo("{\"temperature\": 21}");
        shoot("chat-tools");
        // the Activity view says the context the model got (its auto context: the scripted model's trained 131,072)
        browser.findElement(By.id("tab-activity")).click();
        ui().until(() -> browser.findElement(By.cssSelector("#slots .count")).getText().contains("tokens a slot"));
        assertThat(browser.findElement(By.cssSelector("#slots .count")).getText()).contains("131,072 tokens a slot, KV f16")
                .containsPattern("prompt cache [0-9.]+ [KMG]?i?B of [0-9.]+ [KMG]?i?B, [0-9]+ hits?");
    }

    @Test
    void chats_are_kept_as_conversations_to_reopen_and_delete() throws Exception {
        AgentModels.thinker(daemon, tmp, "thinker");
        browser.get("http://127.0.0.1:" + daemon.port() + "/#chat");
        ui().until(() -> browser.findElements(By.cssSelector("#chat-model option")).size() == 1);
        browser.findElement(By.id("chat-input")).sendKeys("Hi there");
        browser.findElement(By.id("chat-send")).click();
        ui().until(() -> "true".equals(browser.findElement(By.cssSelector(".message.assistant .body")).getAttribute("data-done")));
        JsonNode kept = ok(daemon.get("/conversations")).get("iterable");
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).get("name").asText()).isEqualTo("Hi there");
        assertThat(kept.get(0).at("/messages/iterable")).hasSize(2);
        ui().until(() -> browser.findElements(By.cssSelector("#chat-conversations li")).size() == 1);
        assertThat(browser.findElement(By.cssSelector("#chat-conversations li button")).getText()).startsWith("Hi there");

        browser.findElement(By.id("chat-clear")).click();
        ui().until(() -> browser.findElements(By.cssSelector("#chat-log .message")).isEmpty());
        browser.findElement(By.cssSelector("#chat-conversations button[data-id='" + kept.get(0).get("id").asText() + "']"))
                .click();
        ui().until(() -> browser.findElements(By.cssSelector("#chat-log .message")).size() == 2);
        assertThat(browser.findElements(By.cssSelector("#chat-log .message .body")).stream().map(WebElement::getText))
                .containsExactly("Hi there", "Hello.");

        assertThat(browser.findElement(By.cssSelector("#chat-conversations button[aria-current='true']")).getAttribute("data-id"))
                .isEqualTo(kept.get(0).get("id").asText());
        browser.findElement(By.id("chat-delete")).click();
        ui().until(() -> browser.findElements(By.cssSelector("#chat-conversations li")).isEmpty());
        assertThat(ok(daemon.get("/conversations")).get("iterable")).isEmpty();
    }

    @Test
    void embeddings_give_a_similarity_matrix() throws Exception {
        Path file = tmp.resolve("embedder.gguf");
        TinyModels.bertEmbedder(file, 3);
        Downloading.downloaded(daemon, file, "embedder");
        browser.get("http://127.0.0.1:" + daemon.port() + "/#embed");
        ui().until(() -> browser.findElements(By.cssSelector("#embed-model option")).size() == 1);
        browser.findElement(By.id("embed-texts")).sendKeys("a cat\na dog\nthe stock market");
        browser.findElement(By.id("embed-run")).click();
        ui().until(() -> browser.findElements(By.cssSelector("#embed-result tbody tr")).size() == 3);
        assertThat(browser.findElements(By.cssSelector("#embed-result tbody tr:first-child td")).get(0).getText())
                .isEqualTo("1.000");
        shoot("embeddings");
    }

    @Test
    void settings_change_at_once_and_pull_by_name_starts_a_download() throws Exception {
        browser.get("http://127.0.0.1:" + daemon.port() + "/#settings");
        ui().until(() -> !browser.findElement(By.id("set-maxDownloads")).getAttribute("value").isEmpty());
        WebElement keep = browser.findElement(By.id("set-keepAlive"));
        keep.clear();
        keep.sendKeys("45m");
        WebElement max = browser.findElement(By.id("set-maxDownloads"));
        max.clear();
        max.sendKeys("3");
        browser.findElement(By.id("settings-save")).click();
        ui().until(() -> browser.findElement(By.id("settings-status")).getText().equals("saved"));
        var settings = ok(daemon.get("/settings"));
        assertThat(settings.get("keepAlive").asText()).isEqualTo("45m");
        assertThat(settings.get("maxDownloads").asInt()).isEqualTo(3);
        assertThat(daemon.dataDir().resolve("settings.json")).exists();
        shoot("settings");

        Path model = tmp.resolve("byname.gguf");
        TinyLlama.TINY.write(model, 8);
        try (FileServer files = FileServer.start().serve("/byname.gguf", Files.readAllBytes(model))) {
            browser.findElement(By.id("tab-models")).click();
            browser.findElement(By.id("pull-name")).sendKeys(files.uri("/byname.gguf").toString());
            browser.findElement(By.cssSelector("#pull button")).click();
            ui().until(() -> browser.findElements(By.cssSelector("#models tbody tr")).size() == BUILT_IN + 1);
            await().atMost(WAIT).until(() -> {
                for (var m : ok(daemon.get("/models")).get("iterable")) {
                    if (m.get("name").asText().equals("byname.gguf")) {
                        return m.get("downloaded").asBoolean();
                    }
                }
                return false;
            });
        }
        browser.findElement(By.id("tab-logs")).click();
        ui().until(() -> browser.findElement(By.id("log-lines")).getText().contains("settings changed"));
        shoot("logs");
    }
}
