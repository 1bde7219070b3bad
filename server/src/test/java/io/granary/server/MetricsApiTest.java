package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.granary.core.util.FileTrees;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} through the real server: protected by its own secret, moved by real work, never naming data. */
class MetricsApiTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static HttpResponse<String> scrape(String... headers) throws IOException, InterruptedException {
        return scrapeAt(granary.url(), headers);
    }

    private static HttpResponse<String> scrapeAt(String base, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/metrics")).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String metrics() throws IOException, InterruptedException {
        HttpResponse<String> r = scrape("Authorization", "Bearer " + EmbeddedGranary.METRICS_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        return r.body();
    }

    /** The value of the one sample named {@code series} with exactly these labels (in the registry's order); 0 if none. */
    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void refusesScrapersWithoutTheMetricsSecret() throws Exception {
        for (String[] headers : new String[][] {
            {},
            {"Authorization", "Bearer wrong-secret"},
            {"X-StorageApi-Token", EmbeddedGranary.MASTER_TOKEN},
            {"Authorization", "Bearer " + EmbeddedGranary.MASTER_TOKEN},
            {"Authorization", "Basic " + EmbeddedGranary.METRICS_TOKEN},
        }) {
            HttpResponse<String> r = scrape(headers);
            assertThat(r.statusCode()).as(String.join(" ", headers)).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"granary-metrics\"");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("code").asText()).isEqualTo("storage.tokenInvalid");
            assertThat(body.get("error").asText()).isIn("Send the metrics token as \"Authorization: Bearer <token>\".",
                    "The metrics token is not valid.");
            assertThat(r.body()).doesNotContain("jvm_").doesNotContain("granary_");
        }
    }

    @Test
    void aNodeWithoutAMetricsTokenHasNoMetricsRoute() throws Exception {
        Path dir = Files.createTempDirectory("granary-metrics-off");
        try (GranaryServer off = GranaryServer.start(ServerConfig.defaults(dir).withPorts(0, 0)
                .withMasterToken(EmbeddedGranary.MASTER_TOKEN))) {
            HttpResponse<String> r = scrapeAt(off.url(), "Authorization", "Bearer " + EmbeddedGranary.METRICS_TOKEN);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("Metrics are off on this node: start it"
                    + " with --metrics-token (or GRANARY_METRICS_TOKEN) and scrape with that secret as a bearer token.");
        } finally {
            FileTrees.delete(dir);
        }
    }

    @Test
    void realWorkMovesTheSeriesAndNoNameOrSecretAppears() throws Exception {
        Api master = granary.master();
        master.postJson("/v2/storage/buckets", Map.of("name", "zanzibar-sales", "stage", "in"));
        Tables tables = new Tables(granary, tmp);
        String before = metrics();
        String importSeries = "granary_jobs_seconds_count{operation=\"tableImport\",outcome=\"success\"}";
        String detailSeries = "granary_http_requests_seconds_count{method=\"GET\",route=\"/v2/storage/tables/{tableId}\","
                + "status=\"200\"}";

        long file = tables.upload("quokka-orders.csv", "id,amount\n1,10\n2,20\n3,30\n");
        JsonNode created = tables.create("in.c-zanzibar-sales", "quokka-orders", file, Map.of());
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        long more = tables.upload("quokka-more.csv", "id,amount\n4,40\n5,50\n");
        JsonNode imported = tables.load("in.c-zanzibar-sales.quokka-orders", more, Map.of("incremental", "1"));
        assertThat(imported.get("status").asText()).as(imported.toString()).isEqualTo("success");
        assertThat(tables.export("in.c-zanzibar-sales.quokka-orders", Map.of())).contains("\"5\",\"50\"");
        assertThat(master.get("/v2/storage/tables/in.c-zanzibar-sales.quokka-orders").status()).isEqualTo(200);
        long bad = tables.upload("quokka-bad.csv", "nope\nx\n");
        JsonNode failed = tables.load("in.c-zanzibar-sales.quokka-orders", bad, Map.of());
        assertThat(failed.get("status").asText()).as(failed.toString()).isEqualTo("error");
        assertThat(master.get("/v2/storage/tables/in.c-zanzibar-sales.no-such-table").status()).isEqualTo(404);
        assertThat(master.get("/v2/storage/no/such/route/zanzibar").status()).isEqualTo(404);

        String after = metrics();
        // jobs by operation and outcome, with duration histograms
        assertThat(value(after, importSeries) - value(before, importSeries)).isEqualTo(1);
        assertThat(value(after, "granary_jobs_seconds_count{operation=\"tableImport\",outcome=\"error\"}")
                - value(before, "granary_jobs_seconds_count{operation=\"tableImport\",outcome=\"error\"}")).isEqualTo(1);
        assertThat(value(after, "granary_jobs_seconds_count{operation=\"tableCreate\",outcome=\"success\"}")).isGreaterThan(0);
        assertThat(value(after, "granary_jobs_seconds_count{operation=\"tableExport\",outcome=\"success\"}")).isGreaterThan(0);
        assertThat(after).containsPattern("granary_jobs_seconds_bucket\\{operation=\"tableImport\",outcome=\"success\",le=\"0\\.1\"}")
                .contains("granary_jobs_seconds_sum{operation=\"tableImport\",outcome=\"success\"}");
        // rows and bytes: 3 created + 2 imported, 5 exported
        assertThat(value(after, "granary_table_rows_total{direction=\"import\"}")
                - value(before, "granary_table_rows_total{direction=\"import\"}")).isEqualTo(5);
        assertThat(value(after, "granary_table_rows_total{direction=\"export\"}")
                - value(before, "granary_table_rows_total{direction=\"export\"}")).isEqualTo(5);
        assertThat(value(after, "granary_table_bytes_total{direction=\"import\"}")
                - value(before, "granary_table_bytes_total{direction=\"import\"}")).isGreaterThan(0);
        assertThat(value(after, "granary_table_bytes_total{direction=\"export\"}")
                - value(before, "granary_table_bytes_total{direction=\"export\"}")).isGreaterThan(0);
        // the queue and the workers
        assertThat(after).containsPattern("(?m)^granary_jobs_waiting [0-9.]+$").containsPattern("(?m)^granary_jobs_running [0-9.]+$");
        // HTTP by route template and status, with latency histograms
        assertThat(value(after, detailSeries) - value(before, detailSeries)).isEqualTo(1);
        assertThat(value(after, "granary_http_requests_seconds_count{method=\"GET\",route=\"/v2/storage/tables/{tableId}\","
                + "status=\"404\"}")).isGreaterThan(0);
        assertThat(value(after, "granary_http_requests_seconds_count{method=\"POST\",route=\"/v2/storage/tables/{tableId}/"
                + "import-async\",status=\"202\"}")).isGreaterThan(0);
        assertThat(value(after, "granary_http_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"}"))
                .isGreaterThan(0);
        assertThat(after).contains("granary_http_requests_seconds_bucket{method=\"GET\",route=\"/v2/storage/tables/{tableId}\","
                + "status=\"200\",le=\"0.005\"}");
        // S3 on the embedded endpoint by operation and status (the uploads and the export's slices)
        assertThat(value(after, "granary_s3_requests_seconds_count{operation=\"PutObject\",status=\"200\"}")
                - value(before, "granary_s3_requests_seconds_count{operation=\"PutObject\",status=\"200\"}")).isGreaterThanOrEqualTo(3);
        assertThat(value(after, "granary_s3_requests_seconds_count{operation=\"GetObject\",status=\"200\"}")).isGreaterThan(0);
        // the JVM
        assertThat(after).contains("jvm_memory_used_bytes{area=\"heap\"").contains("jvm_threads_live_threads")
                .contains("process_uptime_seconds");
        // DuckDB's memory, when the tables are on DuckDB in this process: its limit and its buffer manager by tag
        if (EmbeddedGranary.backend().equals(ServerConfig.DUCKDB)) {
            assertThat(value(after, "granary_duckdb_memory_limit_bytes")).isEqualTo((double) ServerConfig.DEFAULT_DUCKDB_MEMORY);
            assertThat(value(after, "granary_duckdb_memory_used_bytes{tag=\"BASE_TABLE\"}")).isGreaterThanOrEqualTo(0);
            assertThat(after).containsPattern("(?m)^granary_duckdb_memory_temporary_bytes\\{tag=\"BASE_TABLE\"} [0-9.E]+$");
        } else {
            assertThat(after).doesNotContain("granary_duckdb_memory");
        }

        // no data names, no secrets: not the bucket, table or file names, not a token, not an S3 key
        Properties keys = new Properties();
        try (var in = Files.newInputStream(granary.dataDir().resolve("s3-system-key.properties"))) {
            keys.load(in);
        }
        JsonNode credentials = master.postJson("/v2/storage/files/prepare", Map.of("name", "x.csv", "federationToken", true))
                .json().get("uploadParams").get("credentials");
        for (String leak : new String[] {"zanzibar", "quokka", "no-such-table", EmbeddedGranary.MASTER_TOKEN,
            EmbeddedGranary.METRICS_TOKEN, keys.getProperty("secretKey"), keys.getProperty("accessKey"),
            credentials.get("SecretAccessKey").asText(), credentials.get("SessionToken").asText()}) {
            assertThat(metrics()).as(leak).doesNotContain(leak);
        }
    }
}
