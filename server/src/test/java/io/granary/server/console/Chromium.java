package io.granary.server.console;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven by Selenium, with a fresh
 * profile, downloads and screenshots under {@code target/}. Missing binaries fail the test with how to install them:
 * the browser tests never skip.
 */
final class Chromium implements AutoCloseable {

    static final Path OUTPUT = Path.of("target", "console-browser").toAbsolutePath();
    static final Path SCREENSHOTS = OUTPUT.resolve("screenshots");
    private static final List<String> BROWSERS = List.of("/usr/lib/chromium/chromium", "/usr/bin/chromium",
            "/usr/bin/chromium-browser");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    final ChromeDriver driver;
    final Path downloads;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path downloads, Path profile) {
        this.driver = driver;
        this.downloads = downloads;
        this.profile = profile;
    }

    static Chromium start() throws IOException {
        String browser = find("GRANARY_CHROMIUM", BROWSERS).orElseThrow(() -> missing("chromium"));
        String chromedriver = find("GRANARY_CHROMEDRIVER", DRIVERS).orElseThrow(() -> missing("chromedriver"));
        Files.createDirectories(SCREENSHOTS);
        Path profile = Files.createTempDirectory(Files.createDirectories(OUTPUT), "profile-");
        Path downloads = Files.createTempDirectory(OUTPUT, "downloads-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser);
        // as root in a container Chromium needs --no-sandbox; the rest keeps it from calling home
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900", "--lang=en-US");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort()
                .withLogFile(OUTPUT.resolve("chromedriver.log").toFile())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        driver.executeCdpCommand("Browser.setDownloadBehavior",
                Map.of("behavior", "allow", "downloadPath", downloads.toString()));
        return new Chromium(driver, downloads, profile);
    }

    private static Optional<String> find(String env, List<String> candidates) {
        String configured = System.getenv(env);
        List<String> paths = configured != null && !configured.isBlank() ? List.of(configured) : candidates;
        return paths.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    private static IllegalStateException missing(String what) {
        return new IllegalStateException("Chromium is missing (no " + what + " found): the console's browser tests "
                + "need Debian's chromium and chromium-driver. Install them with `apt-get install -y chromium "
                + "chromium-driver` (.ci/run does), or point GRANARY_CHROMIUM / GRANARY_CHROMEDRIVER at them.");
    }

    void windowSize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves a PNG of the viewport as target/console-browser/screenshots/NAME.png. */
    Path screenshot(String name) throws IOException {
        Path file = SCREENSHOTS.resolve(name + ".png");
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /** Waits for a finished download of that name (Chromium writes NAME.crdownload until it is done). */
    Path downloaded(String name, Duration timeout) throws Exception {
        Path file = downloads.resolve(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file) && !Files.exists(downloads.resolve(name + ".crdownload"))) {
                return file;
            }
            Thread.sleep(100);
        }
        try (Stream<Path> present = Files.list(downloads)) {
            throw new AssertionError("No download " + name + " within " + timeout + "; the folder has "
                    + present.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            io.granary.core.util.FileTrees.delete(profile);
        }
    }
}
