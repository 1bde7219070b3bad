package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export-async} with {@code merged}: one file, a header then every row, tagged as Keboola's UI tags its
 * merged exports; every other option as without it.
 */
class MergedExportApiTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    static final String TABLE = "in.c-merged.t";
    static final HttpClient http = HttpClient.newHttpClient();
    static Tables tables;

    @BeforeAll
    static void createTable(@TempDir Path tmp) {
        tables = new Tables(granary, tmp);
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "merged", "stage", "in"));
        StringBuilder csv = new StringBuilder("id,name,note\n");
        for (int i = 1; i <= 3000; i++) {
            csv.append(i).append(",name ").append(i).append(",\"x,\"\"").append(i).append("\"\"\"\n");
        }
        JsonNode job = tables.create("in.c-merged", "t", tables.upload("t.csv", csv.toString()), Map.of("primaryKey", "id"));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
    }

    @Test
    void aMergedExportIsOneFileWithAHeaderAndEveryRow() throws Exception {
        JsonNode file = exportFile(Map.of("merged", true));
        assertThat(file.get("isSliced").asBoolean()).isFalse();
        assertThat(file.get("name").asText()).isEqualTo("t.csv");
        assertThat(file.get("tags")).extracting(JsonNode::asText).containsExactlyInAnyOrder("table-export", "storage-merged-export");
        String text = new String(download(file), StandardCharsets.UTF_8);
        assertThat(file.get("sizeBytes").asLong()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);

        String sliced = tables.export(TABLE, Map.of());
        assertThat(text).isEqualTo("\"id\",\"name\",\"note\"\n" + sliced);
        assertThat(text.lines()).hasSize(3001).contains("\"7\",\"name 7\",\"x,\"\"7\"\"\"");
    }

    @Test
    void aGzippedMergedExportIsOneGzipFileOfTheSameText() throws Exception {
        JsonNode file = exportFile(Map.of("merged", true, "gzip", true));
        assertThat(file.get("name").asText()).isEqualTo("t.csv.gz");
        byte[] bytes = download(file);
        assertThat(bytes[0] & 0xff).isEqualTo(0x1f);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text).isEqualTo("\"id\",\"name\",\"note\"\n" + tables.export(TABLE, Map.of()));
        }
    }

    @Test
    void columnsFiltersAndLimitsApplyAndAnEmptyResultIsTheHeaderAlone() throws Exception {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("merged", "1");
        params.put("columns", List.of("name", "id"));
        params.put("whereFilters", List.of(Map.of("column", "id", "values", List.of("2", "3"))));
        params.put("orderBy", List.of(Map.of("column", "id")));
        assertThat(new String(download(exportFile(params)), StandardCharsets.UTF_8))
                .isEqualTo("\"name\",\"id\"\n\"name 2\",\"2\"\n\"name 3\",\"3\"\n");

        params.put("whereFilters", List.of(Map.of("column", "id", "values", List.of("none"))));
        assertThat(new String(download(exportFile(params)), StandardCharsets.UTF_8)).isEqualTo("\"name\",\"id\"\n");
    }

    @Test
    void withoutMergedTheExportStaysSlicedAndABadValueIsRefusedBeforeAnyJob() {
        JsonNode job = tables.job(granary.master().postJson("/v2/storage/tables/" + TABLE + "/export-async", Map.of("merged", false)));
        JsonNode file = granary.master().get("/v2/storage/files/" + job.get("results").get("file").get("id").asLong()).json();
        assertThat(file.get("isSliced").asBoolean()).isTrue();
        assertThat(file.get("tags")).extracting(JsonNode::asText).containsExactly("table-export");

        int jobsBefore = granary.master().get("/v2/storage/jobs?limit=1000").json().size();
        Api.Response bad = granary.master().postJson("/v2/storage/tables/" + TABLE + "/export-async", Map.of("merged", "maybe"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).contains("merged");
        assertThat(granary.master().get("/v2/storage/jobs?limit=1000").json().size()).isEqualTo(jobsBefore);
    }

    @Test
    void aMergedParquetExportIsRefusedBeforeAnyJob() {
        int jobsBefore = granary.master().get("/v2/storage/jobs?limit=1000").json().size();
        Api.Response bad = granary.master().postJson("/v2/storage/tables/" + TABLE + "/export-async",
                Map.of("merged", true, "fileType", "parquet"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText())
                .isEqualTo("Invalid request: merged: only a CSV export can be merged into one file.");
        assertThat(granary.master().get("/v2/storage/jobs?limit=1000").json().size()).isEqualTo(jobsBefore);
    }

    @Test
    void mergedExportsAreFoundByTheirTag() {
        long id = exportFile(Map.of("merged", true)).get("id").asLong();
        JsonNode listed = granary.master().get("/v2/storage/files?tags[]=storage-merged-export").json();
        assertThat(listed).extracting(f -> f.get("id").asLong()).contains(id);
        listed.forEach(f -> assertThat(f.get("isSliced").asBoolean()).isFalse());
    }

    private static JsonNode exportFile(Map<String, Object> params) {
        JsonNode job = tables.job(granary.master().postJson("/v2/storage/tables/" + TABLE + "/export-async", params));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        assertThat(job.get("results").get("cacheHit").asBoolean()).isFalse();
        return granary.master().get("/v2/storage/files/" + job.get("results").get("file").get("id").asLong()).json();
    }

    private static byte[] download(JsonNode file) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(file.get("url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
