package io.granary.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.server.support.EmbeddedGranary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the server serves the console: every page a real URL, versioned assets, strict headers, and the API untouched. */
class ConsoleServingTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyPageIsTheConsoleUnderAStrictPolicy() throws Exception {
        for (String page : List.of("/", "/storage", "/storage/in.c-main", "/tables/in.c-main.orders", "/load?table=x",
                "/files", "/files/12", "/jobs", "/jobs/3", "/tokens")) {
            HttpResponse<String> r = get(page);
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/html").contains("utf-8");
            assertThat(r.body()).contains("<div id=\"app\"></div>").doesNotContain("{{version}}");
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                    "base-uri 'none'", "connect-src 'self' " + URI.create(granary.s3Url()).getScheme() + "://"
                            + URI.create(granary.s3Url()).getAuthority()).doesNotContain("unsafe");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
            assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
        }
    }

    @Test
    void assetsAreVersionedCachedForGoodAndTyped() throws Exception {
        String version = version();
        for (String[] asset : new String[][] {{"app.js", "text/javascript"}, {"pages/table.js", "text/javascript"},
                {"app.css", "text/css"}, {"favicon.svg", "image/svg+xml"}}) {
            HttpResponse<String> r = get("/console/" + version + "/" + asset[0]);
            assertThat(r.statusCode()).as(asset[0]).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith(asset[1]);
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
            String etag = r.headers().firstValue("ETag").orElseThrow();
            HttpResponse<String> again = http.send(HttpRequest.newBuilder(uri("/console/" + version + "/" + asset[0]))
                    .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).isEqualTo(304);
            assertThat(again.body()).isEmpty();
        }
        HttpResponse<String> old = get("/console/0123456789ab/app.js");
        assertThat(old.statusCode()).isEqualTo(200);
        assertThat(old.headers().firstValue("Cache-Control")).hasValue("no-cache");
    }

    @Test
    void unknownAssetsAreNotFoundAndTheApiStillAnswersJson() throws Exception {
        String version = version();
        for (String missing : List.of("/console/" + version + "/nope.js", "/console/" + version + "/..%2F..%2Flogback.xml",
                "/console/" + version + "/")) {
            HttpResponse<String> r = get(missing);
            assertThat(r.statusCode()).as(missing).isEqualTo(404);
            assertThat(r.body()).doesNotContain("<configuration>");
        }
        HttpResponse<String> api = get("/v2/storage/nope");
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(api.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(api.body()).contains("\"status\":\"error\"");
        assertThat(get("/no-such-page").headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void theObjectStoreLetsTheConsolesOriginUploadAndNoOtherOrigin() throws Exception {
        String console = "http://localhost:" + URI.create(granary.url()).getPort();
        URI object = URI.create(granary.s3Url() + "/granary/exp-15/1/files/x.csv");
        for (String origin : List.of(console, console.replace("localhost", "127.0.0.1"))) {
            HttpResponse<String> allowed = preflight(object, origin);
            assertThat(allowed.statusCode()).as(origin).isEqualTo(200);
            assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
        }
        HttpResponse<String> refused = preflight(object, "http://localhost:1");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void consoleOriginsCoverTheLoopbackNamesOfOneAddress() {
        assertThat(ConsoleOrigins.of("http://localhost:8080/")).containsExactly("http://localhost:8080",
                "http://127.0.0.1:8080", "http://[::1]:8080");
        assertThat(ConsoleOrigins.of("https://Granary.Example.com:443/base")).containsExactly("https://granary.example.com");
        assertThat(ConsoleOrigins.sourcesOf("http://127.0.0.1:9000", false)).containsExactly("http://127.0.0.1:9000");
        assertThat(ConsoleOrigins.sourcesOf("https://s3.eu-west-1.amazonaws.com", true))
                .containsExactly("https://s3.eu-west-1.amazonaws.com", "https://*.s3.eu-west-1.amazonaws.com");
    }

    static String version() throws Exception {
        Matcher m = Pattern.compile("/console/([0-9a-f]{12})/app\\.js").matcher(get("/").body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static HttpResponse<String> preflight(URI url, String origin) throws Exception {
        return http.send(HttpRequest.newBuilder(url).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "PUT").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create(granary.url() + path);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
