package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.ParquetFiles;
import io.granary.server.support.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export-async} with {@code fileType: parquet}, as a Keboola client sees it: a job, a sliced file of type
 * {@code parquet} whose manifest lists Parquet slices, read back here with DuckDB as a user's tool would.
 */
class ParquetExportApiTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    @TempDir
    Path tmp;

    private Tables tables;

    @BeforeAll
    static void bucket() {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "pq", "stage", "in"));
    }

    @BeforeEach
    void setUp() {
        tables = new Tables(granary, tmp);
    }

    @Test
    void exportAsyncWritesASlicedParquetFileWithTheSelectedRowsAsStrings() throws Exception {
        String tableId = table("events", "id,Status,note\n1,new,\n2,paid,\"a,b\"\n3,paid,\"two\nlines\"\n4,sent,日本語\n");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("fileType", "parquet");
        params.put("gzip", true);
        params.put("columns", List.of("note", "id"));
        params.put("whereFilters", List.of(Map.of("column", "Status", "operator", "ne", "values", List.of("new"))));
        params.put("changedSince", "-1 days");
        params.put("orderBy", List.of(Map.of("column", "id")));
        JsonNode job = tables.job(granary.master().postJson("/v2/storage/tables/" + tableId + "/export-async", params));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        assertThat(job.get("operationName").asText()).isEqualTo("tableExport");

        JsonNode file = file(job);
        assertThat(file.get("isSliced").asBoolean()).isTrue();
        assertThat(file.get("fileType").asText()).isEqualTo("parquet");
        assertThat(file.get("name").asText()).isEqualTo("events.parquet");
        assertThat(file.get("tags").toString()).isEqualTo("[\"table-export\"]");
        List<Path> slices = slices(file);
        assertThat(slices).isNotEmpty().allSatisfy(p -> assertThat(p.getFileName().toString()).endsWith(".parquet"));
        assertThat(file.get("sizeBytes").asLong()).isEqualTo(slices.stream().mapToLong(ParquetExportApiTest::size).sum());

        assertThat(ParquetFiles.columns(slices.get(0))).containsExactly("note|VARCHAR", "id|VARCHAR");
        assertThat(ParquetFiles.rows(slices)).containsExactly(List.of("a,b", "2"), List.of("two\nlines", "3"), List.of("日本語", "4"));
        // nothing changed since tomorrow: still one slice with the columns, no rows
        params.put("changedSince", "+1 days");
        JsonNode empty = tables.job(granary.master().postJson("/v2/storage/tables/" + tableId + "/export-async", params));
        List<Path> none = slices(file(empty));
        assertThat(none).hasSize(1);
        assertThat(ParquetFiles.columns(none.get(0))).containsExactly("note|VARCHAR", "id|VARCHAR");
        assertThat(ParquetFiles.rows(none)).isEmpty();
    }

    @Test
    void aFileTypeOutsideCsvAndParquetIsRefusedAndNothingIsExported() throws Exception {
        String tableId = table("refused", "id\n1\n");
        int files = fileCount();
        for (String type : List.of("xlsx", "PARQUET", "json")) {
            Api.Response r = granary.master().postJson("/v2/storage/tables/" + tableId + "/export-async",
                    Map.of("fileType", type));
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.json().get("code").asText()).isEqualTo("storage.tables.validation");
            assertThat(r.json().get("error").asText()).isEqualTo("Invalid request:\n - fileType: \"The value you selected"
                    + " is not a valid choice.\" Choose csv or parquet.");
        }
        assertThat(fileCount()).isEqualTo(files);
        // CSV stays the default, spelled or not
        assertThat(tables.export(tableId, Map.of("fileType", "csv"))).isEqualTo("\"1\"\n");
        assertThat(tables.export(tableId, Map.of())).isEqualTo("\"1\"\n");
    }

    private String table(String name, String csv) {
        JsonNode job = tables.create("in.c-pq", name, tables.upload(name + ".csv", csv), Map.of());
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        return "in.c-pq." + name;
    }

    private int fileCount() {
        return granary.master().get("/v2/storage/files?limit=1000").json().size();
    }

    private JsonNode file(JsonNode job) {
        long id = job.get("results").get("file").get("id").asLong();
        Api.Response detail = granary.master().get("/v2/storage/files/" + id + "?federationToken=1");
        assertThat(detail.status()).as(detail.body()).isEqualTo(200);
        return detail.json();
    }

    private List<Path> slices(JsonNode file) throws Exception {
        return tables.downloadSlices(file, tmp.resolve("f" + file.get("id").asText()));
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
