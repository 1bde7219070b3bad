package io.granary.server.console;

import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A test class of the console: a real server on free ports and one headless Chromium for all its tests. */
abstract class BrowserTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    static Chromium browser;
    static Console console;
    static Tables tables;

    @BeforeAll
    static void startBrowser(@TempDir Path tmp) throws IOException {
        browser = Chromium.start();
        console = new Console(browser.driver, granary.url());
        tables = new Tables(granary, tmp);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }
}
