package io.granary.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.EmbeddedGranary;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** The console's other pages in a real Chromium: tokens, files, jobs, navigation, phone width, paging. */
class ConsolePagesBrowserTest extends BrowserTest {

    static final String ITEMS = "id,product,status,amount,shipped_to\n1,Oat flakes 1 kg,shipped,4.20,Brno\n"
            + "2,Rye flour 2 kg,open,3.10,Praha\n3,Spelt grains 5 kg,shipped,12.90,Ostrava\n"
            + "4,Barley malt 500 g,shipped,2.75,Plzeň\n5,Buckwheat 1 kg,cancelled,5.40,Olomouc\n"
            + "6,Millet 2 kg,shipped,6.80,Liberec\n";

    @BeforeAll
    static void createTable() {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "pages", "stage", "in"));
        JsonNode job = tables.create("in.c-pages", "items", tables.upload("items.csv", ITEMS),
                Map.of("primaryKey", "id"));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
    }

    @Test
    void aTokenIsCreatedWithBucketPermissionsItsSecretShownOnceThenRefreshedAndDeleted() throws Exception {
        console.signIn(EmbeddedGranary.MASTER_TOKEN, "/tokens");
        console.type("#new-token [name=description]", "console-made");
        new Select(console.find("#new-token select[data-bucket='in.c-pages']")).selectByValue("read");
        console.click("#new-token button[type=submit]");
        String secret = console.waitFor("#new-secret").getText();
        browser.screenshot("10-token-created");
        JsonNode verified = granary.api(secret).get("/v2/storage/tokens/verify").json();
        assertThat(verified.get("description").asText()).isEqualTo("console-made");
        assertThat(verified.get("bucketPermissions")).isEqualTo(JsonNodeOf.of(Map.of("in.c-pages", "read")));
        String id = verified.get("id").asText();

        console.open("/tokens");
        console.waitForText("#tokens", "console-made");
        assertThat(console.bodyText()).doesNotContain(secret);

        console.click("[data-refresh='" + id + "']");
        console.confirm();
        String refreshed = console.waitFor("#new-secret").getText();
        assertThat(refreshed).isNotEqualTo(secret);
        assertThat(granary.api(secret).get("/v2/storage/tokens/verify").status()).isEqualTo(401);
        assertThat(granary.api(refreshed).get("/v2/storage/tokens/verify").status()).isEqualTo(200);

        console.click("[data-delete='" + id + "']");
        console.confirm();
        new WebDriverWait(browser.driver, Console.WAIT).until(d -> console.all("[data-token='" + id + "']").isEmpty());
        assertThat(granary.api(refreshed).get("/v2/storage/tokens/verify").status()).isEqualTo(401);
    }

    @Test
    void filesAreUploadedTaggedFoundDownloadedAsOneFileAndDeleted() throws Exception {
        Path notes = Files.writeString(Files.createDirectories(Chromium.OUTPUT.resolve("files")).resolve("notes.txt"),
                "first line\nsecond line\n");
        console.signIn(EmbeddedGranary.MASTER_TOKEN, "/files");
        console.click("#upload-box summary");
        console.waitFor("#upload [name=file]").sendKeys(notes.toString());
        console.type("#upload [name=tags]", "alpha, beta");
        console.click("#upload button[type=submit]");
        new WebDriverWait(browser.driver, Console.WAIT).until(d -> console.currentPath().matches("/files/\\d+"));
        long id = Long.parseLong(console.currentPath().substring("/files/".length()));
        console.waitForText("#tags", "beta");

        console.type("#add-tag [name=tag]", "gamma");
        console.click("#add-tag button[type=submit]");
        console.waitForText("#tags", "gamma");
        console.click("#tags [data-remove-tag='alpha']");
        new WebDriverWait(browser.driver, Console.WAIT).until(d -> !console.find("#tags").getText().contains("alpha"));
        JsonNode file = granary.master().get("/v2/storage/files/" + id).json();
        assertThat(file.get("tags")).extracting(JsonNode::asText).containsExactlyInAnyOrder("beta", "gamma");

        console.click("#download button");
        assertThat(Files.readString(browser.downloaded("notes.txt", Console.WAIT))).isEqualTo("first line\nsecond line\n");
        browser.screenshot("11-file");

        console.open("/files?tag=gamma");
        console.waitForText("#files", "notes.txt");
        console.open("/files?q=no-such-name");
        console.waitForText("#more", "No files match");

        // a sliced file (as clients upload big ones) downloads as one file, slices in manifest order
        long sliced = tables.uploadSliced("parts.csv", List.of("\"1\"\n".getBytes(StandardCharsets.UTF_8),
                "\"2\"\n".getBytes(StandardCharsets.UTF_8), "\"3\"\n".getBytes(StandardCharsets.UTF_8)));
        console.open("/files/" + sliced);
        console.waitForText("main", "sliced");
        console.click("#download button");
        assertThat(Files.readString(browser.downloaded("parts.csv", Console.WAIT))).isEqualTo("\"1\"\n\"2\"\n\"3\"\n");

        console.open("/files/" + id);
        console.click("#delete-file");
        console.confirm();
        console.waitForPath("/files");
        assertThat(granary.master().get("/v2/storage/files/" + id).status()).isEqualTo(404);
    }

    @Test
    void deepLinksAndTheBackButtonWorkAndAPhoneSizedWindowFits() throws Exception {
        console.signIn(EmbeddedGranary.MASTER_TOKEN, "/tables/in.c-pages.items");
        console.waitForText("h1", "items");
        console.waitFor("#preview-table");
        console.clickLink("in.c-pages");
        console.waitForPath("/storage/in.c-pages");
        console.waitForText("#tables", "items");
        browser.driver.navigate().back();
        console.waitForPath("/tables/in.c-pages.items");
        console.waitForText("h1", "items");
        browser.driver.navigate().refresh();
        console.waitFor("#preview-table");
        console.click("#add-filter");
        new Select(console.waitFor(".filter-row [name=column]")).selectByVisibleText("status");
        console.type(".filter-row [name=values]", "shipped");
        console.click("#preview-form button[type=submit]");
        new WebDriverWait(browser.driver, Console.WAIT).until(d -> console.all("#preview-table tbody tr").size() == 4);
        browser.windowSize(1280, 1120);
        try {
            browser.screenshot("00-readme-table");
        } finally {
            browser.windowSize(1280, 900);
        }

        console.open("/jobs");
        console.waitForText("#jobs", "tableCreate");
        console.all("#jobs a[href^='/jobs/']").get(0).click();
        new WebDriverWait(browser.driver, Console.WAIT).until(d -> console.currentPath().matches("/jobs/\\d+"));
        console.waitForText("#live", "success");

        browser.windowSize(390, 844);
        try {
            console.open("/tables/in.c-pages.items");
            console.waitFor("#preview-table");
            assertThat((Boolean) console.js("return document.documentElement.scrollWidth <= window.innerWidth"))
                    .as("no sideways scrolling at phone width").isTrue();
            browser.screenshot("12-phone-table");
            console.open("/storage");
            console.waitFor("#buckets");
            assertThat((Boolean) console.js("return document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
            browser.screenshot("13-phone-storage");
        } finally {
            browser.windowSize(1280, 900);
        }
    }

    @Test
    void longListsLoadAPageAtATimeAndEmptyStatesSayWhatToDo() {
        for (int i = 0; i < 55; i++) {
            granary.master().postJson("/v2/storage/files/prepare", Map.of("name", "page-" + i + ".csv"));
        }
        console.signIn(EmbeddedGranary.MASTER_TOKEN, "/files?q=page-");
        new WebDriverWait(browser.driver, Console.WAIT).until(d -> console.all("#files tbody tr").size() == 50);
        console.js("document.querySelector('#more').scrollIntoView()");
        new WebDriverWait(browser.driver, Console.WAIT).until(d -> console.all("#files tbody tr").size() == 55);
        assertThat(console.all("#more button")).isEmpty();

        console.open("/storage/in.c-empty-0");
        assertThat(console.waitFor("main .alert.error").getText()).contains("storage.buckets.notFound");
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "empty-0", "stage", "in"));
        console.open("/storage/in.c-empty-0");
        assertThat(console.waitForText(".empty", "Load a CSV").getText()).contains("no tables yet");
    }

    @Test
    void theBrowsersRequestSignatureIsTheAwsSdks() throws Exception {
        console.signIn(EmbeddedGranary.MASTER_TOKEN, "/storage");
        Instant at = Instant.parse("2026-05-24T10:11:12Z");
        String key = "exp-15/1/files/2026/05/24/7.weird name+ü~(1).csv";
        String endpoint = "http://127.0.0.1:9000";
        String fromBrowser = (String) browser.driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "import(document.querySelector('script[type=module]').src.replace('app.js', 'sigv4.js'))"
                        + ".then(m => done(m.presign({method: 'PUT', endpoint: arguments[0], bucket: 'granary', key: arguments[1],"
                        + " region: 'us-east-1', credentials: {AccessKeyId: 'AKIDEXAMPLE', SecretAccessKey: 'secret/+key',"
                        + " SessionToken: 'token+/='}, expiresSeconds: 900, now: new Date(arguments[2])})))"
                        + ".catch(e => done('error: ' + e))",
                endpoint, key, at.toString());

        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.PUT)
                .uri(URI.create(endpoint + "/granary/" + encodePath(key))).build();
        var signed = AwsV4HttpSigner.create().sign(r -> r.request(request)
                .identity(AwsSessionCredentialsIdentity.create("AKIDEXAMPLE", "secret/+key", "token+/="))
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofSeconds(900))
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
        String sdkSignature = signed.request().firstMatchingRawQueryParameter("X-Amz-Signature").orElseThrow();
        assertThat(fromBrowser).startsWith(endpoint + "/granary/" + encodePath(key) + "?").endsWith("X-Amz-Signature=" + sdkSignature);
    }

    private static String encodePath(String key) {
        StringBuilder out = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(software.amazon.awssdk.utils.http.SdkHttpUtils.urlEncode(segment));
        }
        return out.toString();
    }

    /** Builds a JSON object node for comparisons. */
    static final class JsonNodeOf {
        static JsonNode of(Map<String, String> map) {
            return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(map);
        }
    }
}
