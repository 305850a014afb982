package io.modeld.web;

import static io.modeld.testing.Catalogs.BUILT_IN;
import static io.modeld.testing.TestDaemon.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.modeld.gguf.TinyLlama;
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

    /** Waits for the page; a row re-rendered by a live update between a find and its use is found again. */
    private static org.awaitility.core.ConditionFactory ui() {
        return await().atMost(WAIT).ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class);
    }

    private void click(String id, String action) {
        ui().until(() -> {
            row(id).findElement(By.cssSelector("button[data-action=" + action + "]")).click();
            return true;
        });
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
            assertThat(ok(daemon.get("/models")).get("iterable")).hasSize(BUILT_IN + 2);

            Path shot = Path.of("target", "surefire-reports", "dashboard.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            assertThat(Files.size(shot)).isPositive();
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
}
