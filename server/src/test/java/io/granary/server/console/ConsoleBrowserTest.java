package io.granary.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium against the real server: what a new user does first (sign in, make a
 * bucket, load a CSV, preview it filtered, export it and download the one merged file), and what must hold for
 * every user (refusals shown, data shown as text). Screenshots land in target/console-browser/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest extends BrowserTest {

    static final String ORDERS = "id,name,status,note\n"
            + "1,Alice,paid,\"likes \"\"quotes\"\", and commas\"\n"
            + "2,Bob,open,plain\n"
            + "3,<script>window.__xss=1</script>,paid,\"<img src=x onerror=\"\"window.__xss=2\"\">\"\n"
            + "4,Žluťoučký kůň,paid,\"two\nlines\"\n";

    @Test
    @Order(1)
    void aNewUserSignsInLoadsPreviewsExportsAndDownloadsATable() throws Exception {
        console.open("/");
        console.waitFor("#token");
        browser.screenshot("01-sign-in");
        console.type("#token", EmbeddedGranary.MASTER_TOKEN);
        console.click("#sign-in-form button[type=submit]");
        console.waitForPath("/storage");
        console.waitForText("main", "No buckets yet");
        browser.screenshot("02-storage-empty");

        console.type("#new-bucket [name=name]", "console");
        console.click("#new-bucket button[type=submit]");
        console.waitForPath("/storage/in.c-console");
        console.waitForText("main", "This bucket has no tables yet");
        console.clickLink("Load a CSV");
        console.waitForPath("/load?bucket=in.c-console");

        Path csv = Files.writeString(Files.createDirectories(Chromium.OUTPUT.resolve("files")).resolve("orders.csv"), ORDERS);
        console.waitFor("#load-form [name=file]").sendKeys(csv.toString());
        console.type("#load-form [name=primaryKey]", "id");
        console.click("#load-submit");
        console.waitForText("#steps .done", "has 4 rows");
        assertThat(console.find("#steps progress").getAttribute("value")).isEqualTo("100");
        browser.screenshot("03-loaded");

        console.click("#loaded-table");
        console.waitForPath("/tables/in.c-console.orders");
        console.waitFor("#preview-table");
        assertThat(console.all("#preview-table tbody tr")).hasSize(4);
        assertThat(console.find("main").getText()).contains("Primary key").contains("id");

        console.click("#add-filter");
        new Select(console.waitFor(".filter-row [name=column]")).selectByVisibleText("status");
        console.type(".filter-row [name=values]", "paid");
        console.find("#preview-form input[value=note]").click();
        console.click("#preview-form button[type=submit]");
        new WebDriverWait(browser.driver, Console.WAIT).until(d -> console.all("#preview-table tbody tr").size() == 3
                && console.all("#preview-table th").size() == 3);
        assertThat(console.all("#preview-table th").stream().map(WebElement::getText)).containsExactly("id", "name", "status");
        assertThat(console.all("#preview-table tbody tr td:first-child").stream().map(WebElement::getText))
                .containsExactlyInAnyOrder("1", "3", "4");
        browser.screenshot("04-table-preview");

        console.click("#export-button");
        console.click("#export button[id^=download-]");
        String plain = Files.readString(browser.downloaded("orders.csv", Console.WAIT));
        assertSameTable(plain);

        console.find("#export-gzip").click();
        console.click("#export-button");
        console.waitForText("#export", "orders.csv.gz");
        console.click("#export button[id^=download-]");
        byte[] gz = Files.readAllBytes(browser.downloaded("orders.csv.gz", Console.WAIT));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertSameTable(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        browser.screenshot("05-exported");

        console.open("/files?tag=storage-merged-export");
        console.waitForText("#files", "orders.csv.gz");
        for (WebElement row : console.all("#files tbody tr")) {
            assertThat(row.getText()).contains("storage-merged-export").contains("table-export").doesNotContain("sliced");
        }
        assertThat(console.all("#files tbody tr")).hasSize(2);
        browser.screenshot("06-files-merged-exports");

        console.open("/jobs");
        console.waitForText("#jobs", "tableExport");
        console.all("#jobs tbody tr td:first-child a").get(0).click();
        console.waitForText("#live", "success");
        console.waitFor("#file button[id^=download-]");
        assertThat(console.find("main").getText()).contains("Parameters").contains("Results").contains("tableExport");
        browser.screenshot("07-job");
    }

    /** The merged download is the whole table: a header, then every row once, as RFC 4180 CSV. */
    private static void assertSameTable(String downloaded) {
        List<List<String>> expected = Csv.parse(ORDERS);
        List<List<String>> actual = Csv.parse(downloaded);
        assertThat(downloaded).startsWith("\"id\",\"name\",\"status\",\"note\"\n");
        assertThat(actual.get(0)).isEqualTo(expected.get(0));
        assertThat(new HashSet<>(actual.subList(1, actual.size()))).isEqualTo(new HashSet<>(expected.subList(1, expected.size())));
        assertThat(actual).hasSize(expected.size());
    }

    @Test
    @Order(2)
    void aReadOnlyTokenIsShownTheApisRefusalAndNothingChanges() throws Exception {
        createTable("in.c-shared", "people", "id,name\n1,a\n2,b\n");
        String reader = granary.master().postJson("/v2/storage/tokens",
                Map.of("description", "reader", "bucketPermissions", Map.of("in.c-shared", "read"))).json().get("token").asText();
        Api.Response refusedByApi = granary.api(reader).delete("/v2/storage/tables/in.c-shared.people?async=1");
        assertThat(refusedByApi.status()).isEqualTo(403);

        console.signIn(reader, "/tables/in.c-shared.people");
        console.waitFor("#preview-table");
        assertThat(console.find("h1").getText()).contains("read only");
        console.click("#delete-table");
        console.confirm();
        WebElement error = console.waitFor("#message .alert.error");
        assertThat(error.getText()).contains(refusedByApi.json().get("error").asText()).contains("accessDenied");
        browser.screenshot("08-read-only-refused");

        JsonNode table = granary.master().get("/v2/storage/tables/in.c-shared.people").json();
        assertThat(table.get("rowsCount").asLong()).isEqualTo(2);
        assertThat(console.all("#preview-table tbody tr")).hasSize(2);
    }

    @Test
    @Order(3)
    void userDataIsShownAsTextEverywhere() throws Exception {
        String payload = "<script>window.__xss=1</script>";
        String handler = "<img src=x onerror=\"window.__xss=2\">";
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "xss", "stage", "in", "description", handler));
        createTable("in.c-xss", "cells", "id,html\n1,\"" + payload + "\"\n2,\"" + handler.replace("\"", "\"\"") + "\"\n");
        tables.upload("<svg onload=window.__xss=3>.csv", "a\n");

        console.signIn(EmbeddedGranary.MASTER_TOKEN, "/storage");
        console.waitForText("#buckets", "in.c-xss");
        assertThat(console.bodyText()).contains(handler);
        console.open("/tables/in.c-xss.cells");
        console.waitFor("#preview-table");
        assertThat(console.all("#preview-table tbody td:nth-child(2)").stream().map(WebElement::getText))
                .containsExactlyInAnyOrder(payload, handler);
        assertThat(console.all("main script, main img, main svg")).isEmpty();
        console.open("/files?q=svg");
        console.waitForText("#files", "<svg onload=window.__xss=3>.csv");
        assertThat(console.all("#files svg")).isEmpty();
        assertThat(console.js("return window.__xss === undefined")).isEqualTo(true);

        // and were one to slip through, the Content-Security-Policy blocks inline script
        console.js("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__csp=1\">')");
        Thread.sleep(300);
        assertThat(console.js("return window.__csp === undefined")).isEqualTo(true);
    }

    @Test
    @Order(4)
    void theTokenStaysInThisTabAndNeverInAUrlOrCookie() {
        console.open("/storage");
        console.js("sessionStorage.clear()");
        browser.driver.navigate().refresh();
        console.type("#token", "not-a-token");
        console.click("#sign-in-form button[type=submit]");
        assertThat(console.waitFor("#sign-in-message .alert.error").getText()).contains("Invalid access token");
        assertThat(console.js("return sessionStorage.length")).isEqualTo(0L);

        console.type("#token", EmbeddedGranary.MASTER_TOKEN);
        console.click("#sign-in-form button[type=submit]");
        console.waitFor("#sign-out");
        assertThat(console.js("return sessionStorage.getItem('granary.token')")).isEqualTo(EmbeddedGranary.MASTER_TOKEN);
        assertThat(console.js("return document.cookie")).isEqualTo("");
        @SuppressWarnings("unchecked")
        List<String> urls = (List<String>) console.js(
                "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])");
        assertThat(urls).isNotEmpty().noneMatch(u -> u.contains(EmbeddedGranary.MASTER_TOKEN));

        console.click("#sign-out");
        console.waitFor("#token");
        assertThat(console.js("return sessionStorage.getItem('granary.token')")).isNull();
    }

    private static void createTable(String bucketId, String name, String csv) {
        String[] parts = bucketId.split("\\.c-");
        granary.master().postJson("/v2/storage/buckets", Map.of("name", parts[1], "stage", parts[0]));
        JsonNode job = tables.create(bucketId, name, tables.upload(name + ".csv", csv), Map.of());
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
    }
}
