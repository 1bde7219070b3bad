package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is accepted is what runs: requests are validated once, when they are submitted (a bad one is a 400
 * and queues nothing), every change of a table, drops included, waits for the jobs queued on it, and a
 * synchronous call answers with its job's own error.
 */
class TableSubmissionApiTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static final String BUCKET = "in.c-submit";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ");

    @TempDir
    Path tmp;

    private Tables tables;

    @BeforeAll
    static void bucket() {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "submit", "stage", "in"));
    }

    @BeforeEach
    void setUp() {
        tables = new Tables(granary, tmp);
    }

    private String create(String bucket, String name, String csv) {
        JsonNode created = tables.create(bucket, name, tables.upload(name + ".csv", csv), Map.of("primaryKey", "id"));
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        return bucket + "." + name;
    }

    /** A load big enough that a drop racing it would catch it in the middle. */
    private long bigUpload(String name) {
        StringBuilder csv = new StringBuilder("id,v\n");
        for (int i = 0; i < 200_000; i++) {
            csv.append(i).append(",value ").append(i).append('\n');
        }
        return tables.upload(name, csv.toString());
    }

    private static int jobCount() {
        return granary.master().get("/v2/storage/jobs?limit=1000").json().size();
    }

    private static OffsetDateTime time(JsonNode job, String field) {
        assertThat(job.get(field).isTextual()).as(field + " of " + job).isTrue();
        return OffsetDateTime.parse(job.get(field).asText(), TIME);
    }

    private static JsonNode newestJob(String operation, String tableId) {
        for (JsonNode j : granary.master().get("/v2/storage/jobs?limit=1000").json()) {
            if (j.get("operationName").asText().equals(operation) && (tableId == null || tableId.equals(j.path("tableId").asText()))) {
                return j;
            }
        }
        throw new AssertionError("no " + operation + " job");
    }

    // ---- one order per table, drops included

    @Test
    void anImportAndADropOfTheSameTableSubmittedTogetherNeverInterleave() {
        String tableId = create(BUCKET, "dropped", "id,v\n1,a\n");
        long file = bigUpload("big.csv");
        Api.Response load = granary.master().postJson("/v2/storage/tables/" + tableId + "/import-async",
                Map.of("dataFileId", file, "incremental", true));
        assertThat(load.status()).as(load.body()).isEqualTo(202);
        Api.Response drop = granary.master().delete("/v2/storage/tables/" + tableId);

        assertThat(drop.status()).as(drop.body()).isEqualTo(204);
        JsonNode imported = granary.master().get("/v2/storage/jobs/" + load.json().get("id").asLong()).json();
        assertThat(imported.get("status").asText()).as(imported.toString()).isEqualTo("success");
        JsonNode dropped = newestJob("tableDrop", tableId);
        assertThat(dropped.get("status").asText()).isEqualTo("success");
        assertThat(dropped.get("operationParams").toString()).isEqualTo("{\"tableId\":\"" + tableId + "\"}");
        assertThat(time(dropped, "startTime")).isAfterOrEqualTo(time(imported, "endTime"));
        assertThat(granary.master().get("/v2/storage/tables/" + tableId).status()).isEqualTo(404);
        // nothing of the dropped table comes back with a new one of the same name
        String again = create(BUCKET, "dropped", "id,v\n7,b\n");
        assertThat(granary.master().get("/v2/storage/tables/" + again).json().get("rowsCount").asLong()).isEqualTo(1);
    }

    @Test
    void aForcedBucketDeleteWaitsForTheLoadsOfItsTables() {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "doomed", "stage", "in"));
        String tableId = create("in.c-doomed", "t", "id,v\n1,a\n");
        long file = bigUpload("doomed.csv");
        Api.Response load = granary.master().postJson("/v2/storage/tables/" + tableId + "/import-async",
                Map.of("dataFileId", file));
        Api.Response delete = granary.master().delete("/v2/storage/buckets/in.c-doomed?force=1");

        assertThat(delete.status()).as(delete.body()).isEqualTo(204);
        JsonNode imported = granary.master().get("/v2/storage/jobs/" + load.json().get("id").asLong()).json();
        assertThat(imported.get("status").asText()).as(imported.toString()).isEqualTo("success");
        JsonNode deleted = newestJob("bucketDelete", null);
        assertThat(time(deleted, "startTime")).isAfterOrEqualTo(time(imported, "endTime"));
        assertThat(granary.master().get("/v2/storage/buckets/in.c-doomed").status()).isEqualTo(404);
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "doomed", "stage", "in"));
        String again = create("in.c-doomed", "t", "id,v\n7,b\n");
        assertThat(granary.master().get("/v2/storage/tables/" + again).json().get("rowsCount").asLong()).isEqualTo(1);
    }

    // ---- validated once, at submission

    @Test
    void aFilterOrTimeNoBackendCouldRunIsRefusedWhenSubmitted() throws IOException {
        String tableId = create(BUCKET, "filtered", "id,v\n1,a\n2,b\n");
        Map<String, Supplier<Map<String, Object>>> cases = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, String> codes = new LinkedHashMap<>();
        // the reference's texts (storage-api-php-client's whereFilters tests) where it has one
        cases.put("unknown operator", () -> Map.of("whereFilters", List.of(Map.of("column", "id", "operator",
                "non-existing", "values", List.of("1")))));
        errors.put("unknown operator", "Invalid where operator non-existing");
        codes.put("unknown operator", "storage.tables.validation");
        cases.put("unknown whereOperator", () -> Map.of("whereColumn", "id", "whereValues", List.of("1"),
                "whereOperator", "LIKE"));
        errors.put("unknown whereOperator", "Invalid where operator LIKE");
        codes.put("unknown whereOperator", "storage.tables.validation");
        cases.put("whereFilters not an array", () -> Map.of("whereFilters", "string"));
        errors.put("whereFilters not an array", "Parameter \"whereFilters\" should be an array, but parameter contains:\n"
                + "\"string\"");
        codes.put("whereFilters not an array", "storage.validation");
        cases.put("whereFilters items not objects", () -> Map.of("whereFilters", Map.of("column", "column")));
        errors.put("whereFilters items not objects", "All items in param \"whereFilters\" should be an arrays, but"
                + " parameter contains:\n{\"column\":\"column\"}");
        codes.put("whereFilters items not objects", "storage.validation");
        cases.put("column the table lacks", () -> Map.of("whereColumn", "mesto", "whereValues", List.of("PRG")));
        errors.put("column the table lacks", "Invalid request: whereColumn: column \"mesto\" not found in table "
                + tableId + ".");
        codes.put("column the table lacks", "storage.tables.validation.columnNotExists");
        cases.put("no values", () -> Map.of("whereFilters", List.of(Map.of("column", "id", "operator", "eq",
                "values", List.of()))));
        errors.put("no values", "Invalid request: whereValues: give at least one value for column \"id\".");
        codes.put("no values", "storage.tables.validation.invalidFilterValues");
        cases.put("gt with two values", () -> Map.of("whereFilters", List.of(Map.of("column", "id", "operator", "gt",
                "values", List.of("1", "2")))));
        errors.put("gt with two values", "The filter operator \"gt\" on column \"id\" takes exactly one value.");
        codes.put("gt with two values", "storage.tables.validation.invalidFilterValues");
        cases.put("bad changedSince", () -> Map.of("whereColumn", "id", "whereValues", List.of("1"), "changedSince",
                "in a while"));
        errors.put("bad changedSince", "Invalid request: changedSince: \"in a while\" is not a time: use ISO 8601,"
                + " Unix seconds or a relative time such as \"-1 days\".");
        codes.put("bad changedSince", "storage.validation");

        int jobs = jobCount();
        for (var c : cases.entrySet()) {
            for (String call : List.of("export-async", "rows", "data-preview")) {
                Api.Response r = call.equals("rows")
                        ? granary.master().deleteJson("/v2/storage/tables/" + tableId + "/rows", c.getValue().get())
                        : granary.master().postJson("/v2/storage/tables/" + tableId + "/" + call, c.getValue().get());
                assertThat(r.status()).as(c.getKey() + " " + call + ": " + r.body()).isEqualTo(400);
                assertThat(r.json().get("error").asText()).as(c.getKey() + " " + call).isEqualTo(errors.get(c.getKey()));
                assertThat(r.json().get("code").asText()).as(c.getKey() + " " + call).isEqualTo(codes.get(c.getKey()));
            }
        }
        assertThat(jobCount()).as("nothing queued").isEqualTo(jobs);
        assertThat(granary.master().get("/v2/storage/tables/" + tableId).json().get("rowsCount").asLong()).isEqualTo(2);
    }

    @Test
    void anOrderByColumnTheTableLacksIsRefusedWhenSubmitted() {
        String tableId = create(BUCKET, "ordered", "id,v\n1,a\n");
        int jobs = jobCount();
        Api.Response r = granary.master().postJson("/v2/storage/tables/" + tableId + "/export-async",
                Map.of("orderBy", List.of(Map.of("column", "nope"))));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).isEqualTo("Invalid request: orderBy: columns nope not found in table "
                + tableId + ".");
        assertThat(jobCount()).isEqualTo(jobs);
    }

    @Test
    void aRelativeTimeIsResolvedOnceWhileTheJobShowsWhatWasSent() throws IOException {
        String tableId = create(BUCKET, "recent", "id,v\n1,a\n2,b\n");
        Api.Response accepted = granary.master().postJson("/v2/storage/tables/" + tableId + "/export-async",
                Map.of("changedSince", "-1 days", "columns", List.of("id")));
        JsonNode job = tables.job(accepted);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        assertThat(job.get("operationParams").get("changedSince").asText()).isEqualTo("-1 days");
        assertThat(tables.export(tableId, Map.of("changedSince", "-1 days", "orderBy", List.of(Map.of("column", "id")),
                "columns", List.of("id")))).isEqualTo("\"1\"\n\"2\"\n");
        assertThat(tables.export(tableId, Map.of("changedSince", "+1 days", "columns", List.of("id")))).isEmpty();
    }

    // ---- a synchronous call answers with its job's own error

    @Test
    void writeTableAnswersWithTheFailedJobsOwnError() throws IOException {
        String tableId = create(BUCKET, "written", "id,v\n1,a\n");
        Api.Response r = granary.master().upload("/v2/storage/write-table", tables.write("w.csv", "other\nx\n"), "w.csv",
                Map.of("tableId", tableId, "incremental", "1"));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("code").asText()).isEqualTo("csvImport.columnsNotMatch");
        JsonNode job = newestJob("tableImport", tableId);
        assertThat(job.get("status").asText()).isEqualTo("error");
        assertThat(r.json().get("error").asText()).isEqualTo(job.get("error").get("message").asText());
        assertThat(r.json().get("exceptionId").asText()).isEqualTo(job.get("error").get("exceptionId").asText());
    }
}
