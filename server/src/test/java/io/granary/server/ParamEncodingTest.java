package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.Api;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same request in the encodings real clients send (PHP: form with brackets and "" for false;
 * Python: form with True/False; scripts: JSON) must give the same result.
 */
class ParamEncodingTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static final String BUCKET = "in.c-enc";
    private static final String SOURCE = BUCKET + ".source";
    private static final String CSV = "a,b,c\n1,x,p\n2,y,q\n3,x,r\n";
    private static final AtomicInteger SEQ = new AtomicInteger();

    @TempDir
    Path tmp;

    private Tables tables;

    @BeforeAll
    static void bucketAndSource(@TempDir Path dir) {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "enc", "stage", "in"));
        Tables t = new Tables(granary, dir);
        JsonNode job = t.create(BUCKET, "source", t.upload("s.csv", CSV), Map.of());
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
    }

    @BeforeEach
    void setUp() {
        tables = new Tables(granary, tmp);
    }

    private static Api master() {
        return granary.master();
    }

    private static JsonNode detail(String tableId) {
        return master().get("/v2/storage/tables/" + tableId).json();
    }

    private static int jobCount() {
        return master().get("/v2/storage/jobs?limit=1000").json().size();
    }

    // ---- tables-async and primaryKey

    /** How a client sends a create with primary key (a, b). */
    static Stream<Arguments> createEncodings() {
        return Stream.of(
                Arguments.of("JSON, primaryKey \"a,b\"", (BiFunction<String, Long, Api.Response>) (name, file) ->
                        master().postJson("/v2/storage/buckets/" + BUCKET + "/tables-async",
                                Map.of("name", name, "dataFileId", file, "primaryKey", "a,b"))),
                Arguments.of("JSON, primaryKey array", (BiFunction<String, Long, Api.Response>) (name, file) ->
                        master().postJson("/v2/storage/buckets/" + BUCKET + "/tables-async",
                                Map.of("name", name, "dataFileId", file, "primaryKey", List.of("a", "b")))),
                Arguments.of("JSON, dataFileId as a string", (BiFunction<String, Long, Api.Response>) (name, file) ->
                        master().postJson("/v2/storage/buckets/" + BUCKET + "/tables-async",
                                Map.of("name", name, "dataFileId", String.valueOf(file), "primaryKey", "a, b"))),
                Arguments.of("form, primaryKey \"a,b\"", (BiFunction<String, Long, Api.Response>) (name, file) ->
                        master().postFormPairs("/v2/storage/buckets/" + BUCKET + "/tables-async",
                                "name", name, "dataFileId", String.valueOf(file), "primaryKey", "a,b")),
                Arguments.of("form, primaryKey[]=a&primaryKey[]=b", (BiFunction<String, Long, Api.Response>) (name, file) ->
                        master().postFormPairs("/v2/storage/buckets/" + BUCKET + "/tables-async",
                                "name", name, "dataFileId", String.valueOf(file), "primaryKey[]", "a", "primaryKey[]", "b")),
                Arguments.of("form, primaryKey[0]=a&primaryKey[1]=b", (BiFunction<String, Long, Api.Response>) (name, file) ->
                        master().postFormPairs("/v2/storage/buckets/" + BUCKET + "/tables-async",
                                "name", name, "dataFileId", String.valueOf(file), "primaryKey[0]", "a", "primaryKey[1]", "b")),
                Arguments.of("query string, primaryKey[]", (BiFunction<String, Long, Api.Response>) (name, file) ->
                        master().postRaw("/v2/storage/buckets/" + BUCKET + "/tables-async?"
                                + Api.formBody("name", name, "dataFileId", String.valueOf(file), "primaryKey[]", "a",
                                        "primaryKey[]", "b"), "application/x-www-form-urlencoded", "")),
                Arguments.of("multipart fields", (BiFunction<String, Long, Api.Response>) (name, file) -> {
                    try {
                        return master().upload("/v2/storage/buckets/" + BUCKET + "/tables-async", null, null,
                                Map.of("name", name, "dataFileId", String.valueOf(file), "primaryKey", "a,b"));
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("createEncodings")
    void createWithPrimaryKeyReadsTheSameInEveryEncoding(String encoding, BiFunction<String, Long, Api.Response> send)
            throws IOException {
        String name = "pk" + SEQ.incrementAndGet();
        long file = tables.upload("pk.csv", "a,b,c\n1,x,p\n1,x,dup\n2,y,q\n");
        JsonNode job = tables.job(send.apply(name, file));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        JsonNode t = detail(BUCKET + "." + name);
        assertThat(t.get("primaryKey").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(t.get("columns").toString()).isEqualTo("[\"a\",\"b\",\"c\"]");
        assertThat(t.get("rowsCount").asLong()).isEqualTo(2);
        assertThat(tables.export(BUCKET + "." + name, Map.of("orderBy", List.of(Map.of("column", "a")))))
                .isEqualTo("\"1\",\"x\",\"dup\"\n\"2\",\"y\",\"q\"\n");
    }

    // ---- export columns and filters

    static Stream<Arguments> exportEncodings() {
        return Stream.of(
                Arguments.of("JSON, columns \"c,a\", whereColumn", (java.util.function.Supplier<Api.Response>) () ->
                        master().postJson("/v2/storage/tables/" + SOURCE + "/export-async",
                                Map.of("columns", "c,a", "whereColumn", "b", "whereValues", List.of("x")))),
                Arguments.of("JSON, columns array, whereFilters", (java.util.function.Supplier<Api.Response>) () ->
                        master().postJson("/v2/storage/tables/" + SOURCE + "/export-async", Map.of("columns", List.of("c", "a"),
                                "whereFilters", List.of(Map.of("column", "b", "values", List.of("x"), "operator", "eq"))))),
                Arguments.of("form, columns \"c,a\", whereFilters brackets", (java.util.function.Supplier<Api.Response>) () ->
                        master().postFormPairs("/v2/storage/tables/" + SOURCE + "/export-async", "columns", "c,a",
                                "whereFilters[0][column]", "b", "whereFilters[0][values][]", "x",
                                "whereFilters[0][operator]", "eq")),
                Arguments.of("form, columns[], whereFilters indexed values", (java.util.function.Supplier<Api.Response>) () ->
                        master().postFormPairs("/v2/storage/tables/" + SOURCE + "/export-async", "columns[]", "c",
                                "columns[]", "a", "whereFilters[0][column]", "b", "whereFilters[0][values][0]", "x")),
                Arguments.of("form, whereColumn + whereValues[] + whereOperator", (java.util.function.Supplier<Api.Response>) () ->
                        master().postFormPairs("/v2/storage/tables/" + SOURCE + "/export-async", "columns[0]", "c",
                                "columns[1]", "a", "whereColumn", "b", "whereValues[]", "x", "whereOperator", "eq")),
                Arguments.of("form, ne on the other value", (java.util.function.Supplier<Api.Response>) () ->
                        master().postFormPairs("/v2/storage/tables/" + SOURCE + "/export-async", "columns", "c,a",
                                "whereFilters[0][column]", "b", "whereFilters[0][values][]", "y",
                                "whereFilters[0][operator]", "ne")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exportEncodings")
    void exportColumnsAndFiltersReadTheSameInEveryEncoding(String encoding, java.util.function.Supplier<Api.Response> send)
            throws IOException {
        String exported = tables.export(master(), send.get());
        // column order as requested; rows in any order
        assertThat(exported.lines().sorted().toList()).containsExactly("\"p\",\"1\"", "\"r\",\"3\"");
    }

    @Test
    void previewFiltersReadTheSameInQueryStringAndJsonBody() {
        String query = Api.formBody("format", "json", "columns", "a", "whereFilters[0][column]", "b",
                "whereFilters[0][values][]", "y", "whereFilters[0][operator]", "eq");
        Api.Response get = master().get("/v2/storage/tables/" + SOURCE + "/data-preview?" + query);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("format", "json");
        body.put("columns", List.of("a"));
        body.put("whereFilters", List.of(Map.of("column", "b", "values", List.of("y"), "operator", "eq")));
        Api.Response post = master().postJson("/v2/storage/tables/" + SOURCE + "/data-preview", body);
        assertThat(get.status()).as(get.body()).isEqualTo(200);
        assertThat(post.status()).as(post.body()).isEqualTo(200);
        assertThat(get.json()).isEqualTo(post.json());
        assertThat(get.json().get("rows").toString()).isEqualTo("[[{\"columnName\":\"a\",\"value\":\"2\",\"isTruncated\":false}]]");
    }

    // ---- booleans

    /** incremental as clients send it, and whether it means an incremental load. */
    static Stream<Arguments> booleans() {
        return Stream.of(
                Arguments.of("form 1", "1", true, true), Arguments.of("form true", "true", true, true),
                Arguments.of("form True (Python)", "True", true, true), Arguments.of("form TRUE", "TRUE", true, true),
                Arguments.of("form \"\" (PHP false)", "", true, false), Arguments.of("form 0", "0", true, false),
                Arguments.of("form False (Python)", "False", true, false),
                Arguments.of("JSON true", true, false, true), Arguments.of("JSON 1", 1, false, true),
                Arguments.of("JSON \"True\"", "True", false, true), Arguments.of("JSON false", false, false, false),
                Arguments.of("JSON \"\"", "", false, false), Arguments.of("JSON 0", 0, false, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("booleans")
    void incrementalReadsEveryBooleanSpelling(String encoding, Object value, boolean form, boolean incremental)
            throws IOException {
        String name = "b" + SEQ.incrementAndGet();
        String tableId = BUCKET + "." + name;
        tables.create(BUCKET, name, tables.upload("b.csv", "id,v\n1,a\n2,b\n"), Map.of());
        long file = tables.upload("b2.csv", "id,v\n3,c\n");
        Api.Response accepted = form
                ? master().postFormPairs("/v2/storage/tables/" + tableId + "/import-async", "dataFileId", String.valueOf(file),
                        "incremental", value.toString())
                : master().postJson("/v2/storage/tables/" + tableId + "/import-async", Map.of("dataFileId", file,
                        "incremental", value));
        JsonNode job = tables.job(accepted);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
        String expected = incremental ? "\"1\",\"a\"\n\"2\",\"b\"\n\"3\",\"c\"\n" : "\"3\",\"c\"\n";
        assertThat(tables.export(tableId, Map.of("orderBy", List.of(Map.of("column", "id"))))).isEqualTo(expected);
        assertThat(detail(tableId).get("rowsCount").asLong()).isEqualTo(incremental ? 3 : 1);
    }

    static Stream<Arguments> invalidBooleans() {
        return Stream.of(Arguments.of("form yes", "yes", true), Arguments.of("form 2", "2", true),
                Arguments.of("form on", "on", true), Arguments.of("JSON \"yes\"", "yes", false),
                Arguments.of("JSON 2", 2, false), Arguments.of("JSON array", List.of(true), false),
                Arguments.of("JSON object", Map.of("v", true), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBooleans")
    void invalidBooleanIsA400NamingTheParameterAndQueuesNothing(String encoding, Object value, boolean form)
            throws IOException {
        long file = tables.upload("i.csv", "a,b,c\n9,z,z\n");
        int jobs = jobCount();
        Api.Response r = form
                ? master().postFormPairs("/v2/storage/tables/" + SOURCE + "/import-async", "dataFileId", String.valueOf(file),
                        "incremental", value.toString())
                : master().postJson("/v2/storage/tables/" + SOURCE + "/import-async", Map.of("dataFileId", file,
                        "incremental", value));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).contains("incremental");
        assertThat(r.json().get("code").asText()).contains("validation");
        assertThat(r.json().get("status").asText()).isEqualTo("error");
        assertThat(jobCount()).as("nothing queued").isEqualTo(jobs);
        assertThat(detail(SOURCE).get("rowsCount").asLong()).isEqualTo(3);
        assertThat(tables.export(SOURCE, Map.of("orderBy", List.of(Map.of("column", "a")))))
                .isEqualTo("\"1\",\"x\",\"p\"\n\"2\",\"y\",\"q\"\n\"3\",\"x\",\"r\"\n");
    }

    @Test
    void invalidBooleanInTheQueryStringIsRefusedToo() {
        int jobs = jobCount();
        Api.Response r = master().delete("/v2/storage/tables/" + SOURCE + "?async=yes");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).contains("async");
        assertThat(jobCount()).isEqualTo(jobs);
        assertThat(master().get("/v2/storage/tables/" + SOURCE).status()).isEqualTo(200);
    }
}
