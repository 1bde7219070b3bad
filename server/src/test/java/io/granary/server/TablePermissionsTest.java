package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bucket permissions on tables, as the spec gives them: {@code read} lists, details, previews and
 * exports; {@code write} also loads and changes; no permission sees nothing. A refused call is a 403
 * {@code accessDenied} before any job is queued, so the table never changes.
 */
class TablePermissionsTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static final String BUCKET = "in.c-perm";
    private static final String TABLE = BUCKET + ".t";
    private static final String EXPORT = "\"1\",\"a\"\n\"2\",\"b\"\n";

    private static Api reader;
    private static Api writer;
    private static Api stranger;

    @TempDir
    Path tmp;

    private Tables tables;

    @BeforeAll
    static void setUpBucketsAndTokens(@TempDir Path dir) {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "perm", "stage", "in"));
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "elsewhere", "stage", "in"));
        Tables t = new Tables(granary, dir);
        JsonNode created = t.create(BUCKET, "t", t.upload("t.csv", "id,name\n1,a\n2,b\n"), Map.of("primaryKey", "id"));
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        reader = token("reader", Map.of(BUCKET, "read"));
        writer = token("writer", Map.of(BUCKET, "write"));
        stranger = token("stranger", Map.of("in.c-elsewhere", "write"));
    }

    @BeforeEach
    void setUp() {
        tables = new Tables(granary, tmp);
    }

    private static Api token(String description, Map<String, String> permissions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("description", description);
        body.put("bucketPermissions", permissions);
        Api.Response r = granary.master().postJson("/v2/storage/tokens", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return granary.api(r.json().get("token").asText());
    }

    private static List<String> tableIds(Api api, String path) {
        Api.Response r = api.get(path);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().findValuesAsText("id").stream().filter(id -> id.split("\\.").length == 3).toList();
    }

    private static int jobCount() {
        return granary.master().get("/v2/storage/jobs?limit=1000").json().size();
    }

    /** Detail, columns, row count and the full export are what the table was created with. */
    private void assertTableUnchanged() throws IOException {
        Api.Response r = granary.master().get("/v2/storage/tables/" + TABLE);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode t = r.json();
        assertThat(t.get("rowsCount").asLong()).isEqualTo(2);
        assertThat(t.get("columns").toString()).isEqualTo("[\"id\",\"name\"]");
        assertThat(t.get("primaryKey").toString()).isEqualTo("[\"id\"]");
        assertThat(tables.export(TABLE, Map.of("orderBy", List.of(Map.of("column", "id"))))).isEqualTo(EXPORT);
    }

    private static void assertDenied(Api.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.json().get("code").asText()).isEqualTo("accessDenied");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void readTokenListsDetailsPreviewsAndExports() throws IOException {
        assertThat(tableIds(reader, "/v2/storage/tables")).containsExactly(TABLE);
        assertThat(tableIds(reader, "/v2/storage/buckets/" + BUCKET + "/tables")).containsExactly(TABLE);

        Api.Response detail = reader.get("/v2/storage/tables/" + TABLE);
        assertThat(detail.status()).as(detail.body()).isEqualTo(200);
        assertThat(detail.json().get("columns").toString()).isEqualTo("[\"id\",\"name\"]");

        Api.Response preview = reader.get("/v2/storage/tables/" + TABLE + "/data-preview");
        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        assertThat(preview.body()).isEqualTo("\"id\",\"name\"\n\"1\",\"a\"\n\"2\",\"b\"\n");

        // the reader's own export file is readable by the reader
        String exported = tables.export(reader, reader.postJson("/v2/storage/tables/" + TABLE + "/export-async",
                Map.of("orderBy", List.of(Map.of("column", "id")))));
        assertThat(exported).isEqualTo(EXPORT);
        assertTableUnchanged();
    }

    @Test
    void readTokenCannotChangeTheTable() throws IOException {
        long file = tables.upload(reader, "r.csv", "id,name\n9,z\n".getBytes(StandardCharsets.UTF_8));
        Map<String, Function<Api, Api.Response>> refused = new LinkedHashMap<>();
        refused.put("import-async", a -> a.postJson("/v2/storage/tables/" + TABLE + "/import-async",
                Map.of("dataFileId", file, "incremental", true)));
        refused.put("import-async (full)", a -> a.postJson("/v2/storage/tables/" + TABLE + "/import-async",
                Map.of("dataFileId", file)));
        refused.put("tables-async", a -> a.postJson("/v2/storage/buckets/" + BUCKET + "/tables-async",
                Map.of("name", "new", "dataFileId", file)));
        refused.put("delete table", a -> a.delete("/v2/storage/tables/" + TABLE));
        refused.put("delete table async", a -> a.delete("/v2/storage/tables/" + TABLE + "?async=1"));
        refused.put("delete rows", a -> a.deleteJson("/v2/storage/tables/" + TABLE + "/rows",
                Map.of("whereColumn", "id", "whereValues", List.of("1"))));
        refused.put("truncate", a -> a.deleteJson("/v2/storage/tables/" + TABLE + "/rows", Map.of("allowTruncate", true)));
        refused.put("add column", a -> a.postForm("/v2/storage/tables/" + TABLE + "/columns", Map.of("name", "extra")));
        refused.put("delete column", a -> a.delete("/v2/storage/tables/" + TABLE + "/columns/name"));
        refused.put("delete primary key", a -> a.delete("/v2/storage/tables/" + TABLE + "/primary-key"));
        refused.put("write-table", a -> {
            try {
                return a.upload("/v2/storage/write-table", tables.write("w.csv", "id,name\n9,z\n"), "w.csv",
                        Map.of("tableId", TABLE, "incremental", "1"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });

        int jobs = jobCount();
        for (var call : refused.entrySet()) {
            Api.Response r = call.getValue().apply(reader);
            assertThat(r.status()).as(call.getKey() + ": " + r.body()).isEqualTo(403);
            assertDenied(r);
        }
        assertThat(jobCount()).as("nothing queued").isEqualTo(jobs);
        assertThat(granary.master().get("/v2/storage/tables/" + BUCKET + ".new").status()).isEqualTo(404);
        assertTableUnchanged();
    }

    @Test
    void tokenWithoutPermissionOnTheBucketSeesNothing() throws IOException {
        assertThat(tableIds(stranger, "/v2/storage/tables")).doesNotContain(TABLE);
        assertDenied(stranger.get("/v2/storage/tables/" + TABLE));
        assertDenied(stranger.get("/v2/storage/buckets/" + BUCKET + "/tables"));
        assertDenied(stranger.get("/v2/storage/tables/" + TABLE + "/data-preview"));
        assertDenied(stranger.postJson("/v2/storage/tables/" + TABLE + "/export-async", Map.of()));
        long file = tables.upload(stranger, "s.csv", "id,name\n9,z\n".getBytes(StandardCharsets.UTF_8));
        int jobs = jobCount();
        assertDenied(stranger.postJson("/v2/storage/tables/" + TABLE + "/import-async", Map.of("dataFileId", file)));
        assertDenied(stranger.delete("/v2/storage/tables/" + TABLE));
        assertThat(jobCount()).isEqualTo(jobs);
        // a table the token cannot read is not told apart from one that does not exist by listing
        assertThat(stranger.get("/v2/storage/tables?include=columns").body()).doesNotContain("in.c-perm");
        assertTableUnchanged();
    }

    @Test
    void tokenWithoutPermissionDoesNotSeeTheTablesJobs() {
        JsonNode job = tables.job(granary.master().postJson("/v2/storage/tables/" + TABLE + "/export-async", Map.of()));
        assertThat(stranger.get("/v2/storage/jobs?limit=1000").body()).doesNotContain(TABLE);
        assertThat(stranger.get("/v2/storage/jobs/" + job.get("id").asLong()).status()).isIn(403, 404);
    }

    @Test
    void writeTokenLoadsItsOwnFileButNotAnotherTokensFile() throws IOException {
        long own = tables.upload(writer, "w.csv", "id,name\n3,c\n".getBytes(StandardCharsets.UTF_8));
        JsonNode job = tables.job(writer.postJson("/v2/storage/tables/" + TABLE + "/import-async",
                Map.of("dataFileId", own, "incremental", true)));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        assertThat(job.get("creatorToken").get("description").asText()).isEqualTo("writer");
        assertThat(tables.export(TABLE, Map.of("orderBy", List.of(Map.of("column", "id")))))
                .isEqualTo(EXPORT + "\"3\",\"c\"\n");

        // a file uploaded by another token (without canReadAllFileUploads) is not the writer's to load
        long foreign = tables.upload("m.csv", "id,name\n4,d\n");
        Api.Response r = writer.postJson("/v2/storage/tables/" + TABLE + "/import-async", Map.of("dataFileId", foreign));
        assertThat(r.status()).as(r.body()).isEqualTo(404);
        assertThat(r.json().get("code").asText()).isEqualTo("storage.files.notFound");

        // put the table back for the other tests
        JsonNode undo = tables.job(writer.deleteJson("/v2/storage/tables/" + TABLE + "/rows",
                Map.of("whereColumn", "id", "whereValues", List.of("3"))));
        assertThat(undo.get("status").asText()).as(undo.toString()).isEqualTo("success");
        assertTableUnchanged();
    }
}
