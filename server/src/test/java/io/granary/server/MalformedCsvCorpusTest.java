package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files that real exports and hand-written scripts produce, loaded over HTTP with {@code import-async}.
 * A bad file must fail its job with a code a client can branch on and a message that names the
 * problem (and the line, where the engine knows it) — and must never change the table. A good file in
 * any of the dialect corners must round-trip exactly through export.
 */
class MalformedCsvCorpusTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private static final String BUCKET = "in.c-corpus";
    private static final String GOOD = "id,name\n1,a\n2,b\n";
    private static final String GOOD_EXPORT = "\"1\",\"a\"\n\"2\",\"b\"\n";
    private static final AtomicInteger TABLE_SEQ = new AtomicInteger();

    @TempDir
    Path tmp;

    private Tables tables;

    @BeforeAll
    static void bucket() {
        granary.master().postJson("/v2/storage/buckets", Map.of("name", "corpus", "stage", "in"));
    }

    @BeforeEach
    void setUp() {
        tables = new Tables(granary, tmp);
    }

    /** One bad file: what it is, its bytes, and the error a client must get. */
    record Bad(String name, byte[] content, String code, List<String> messageParts) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Bad> malformed() {
        return Stream.of(
                new Bad("unclosed quote in the body", utf8("id,name\n3,c\n4,\"unclosed\n5,e\n"),
                        "csvImport.invalidCsv", List.of("Invalid CSV file", "Line 3", "quoted value is not closed")),
                new Bad("row with too many fields", utf8("id,name\n3,c\n4,d,extra\n5,e\n"),
                        "csvImport.invalidCsv", List.of("Line 3", "expected 2 fields, found 3")),
                new Bad("row with too few fields", utf8("id,name\n3,c\n4\n5,e\n"),
                        "csvImport.invalidCsv", List.of("Line 3", "expected 2 fields, found 1")),
                new Bad("quote inside an unquoted value (RFC 4180 forbids it)", utf8("id,name\n3,c\n4,5\" pipe\n"),
                        "csvImport.invalidCsv", List.of("Invalid CSV file. Line 3: an enclosure character (\") inside a value"
                        + " that is not enclosed (enclose the value and double the character).")),
                new Bad("NUL byte in a value", utf8("id,name\n3,c\n4,d\u0000\n"),
                        "csvImport.invalidCsv", List.of("Invalid CSV file. Line 3: a NUL character (byte 0x00), which CSV text"
                        + " may not contain.")),
                new Bad("gzip magic followed by garbage", concat(new byte[] {0x1f, (byte) 0x8b}, utf8("this is not deflate data at all")),
                        "csvImport.invalidCsv", List.of("gzip")),
                new Bad("gzip stream cut in half", truncatedGzip(),
                        "csvImport.invalidCsv", List.of("Invalid gzip data")),
                new Bad("invalid UTF-8 byte in a value", concat(utf8("id,name\n3,caf"), new byte[] {(byte) 0xE9}, utf8("\n4,d\n")),
                        "csvImport.invalidCsv", List.of("Line 2", "invalid UTF-8")),
                new Bad("semicolon file loaded with the default comma", utf8("id;name\n3;c\n4;d\n"),
                        "csvImport.columnsNotMatch", List.of("Missing columns: id,name", "delimiter \",\"")),
                new Bad("empty file", new byte[0],
                        "storage.tables.validation.noColumns", List.of("No columns")),
                new Bad("header with a duplicate after sanitising", utf8("id,name,na me,na_me\n3,c,x,y\n"),
                        "storage.tables.validation.invalidColumnName", List.of("\"na_me\" is duplicated")),
                new Bad("header whose second name sanitises into the first", utf8("id,name,na_me,na me\n3,c,x,y\n"),
                        "storage.tables.validation.invalidColumnName", List.of("\"na_me\" is duplicated", "after sanitising \"na me\"")),
                new Bad("unclosed quote in the header", utf8("id,\"name\n3,c\n"),
                        "csvImport.invalidCsv", List.of("header", "unclosed")),
                new Bad("invalid UTF-8 in the header", concat(utf8("id,nam"), new byte[] {(byte) 0xE9}, utf8("\n3,c\n")),
                        "csvImport.invalidCsv", List.of("header", "UTF-8")),
                new Bad("header with an empty column name", utf8("id,,name\n3,x,c\n"),
                        "storage.tables.validation.invalidColumnName", List.of("Column 2", "empty name")),
                new Bad("header with the _timestamp system column", utf8("id,name,_timestamp\n3,c,x\n"),
                        "storage.tables.validation.invalidColumnName", List.of("_timestamp")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void badFileFailsTheJobAndLeavesTheTableAsItWas(Bad bad) throws IOException {
        String tableId = freshTable();
        JsonNode before = detail(tableId);

        JsonNode job = tables.load(tableId, tables.upload("bad.csv", bad.content()), Map.of());

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("error");
        assertThat(job.get("error").get("code").asText()).as(job.toString()).isEqualTo(bad.code());
        String message = job.get("error").get("message").asText();
        for (String part : bad.messageParts()) {
            assertThat(message).as(job.toString()).contains(part);
        }
        // a user error is short: DuckDB's text repeats the line and lists reader options
        assertThat(message).as("message stays short").hasSizeLessThan(400).doesNotContain("/tmp/");

        JsonNode after = detail(tableId);
        assertThat(after.get("rowsCount").asLong()).isEqualTo(2);
        assertThat(after.get("columns").toString()).isEqualTo("[\"id\",\"name\"]");
        assertThat(after.get("lastImportDate").asText()).isEqualTo(before.get("lastImportDate").asText());
        assertThat(tables.export(tableId, Map.of("orderBy", List.of(Map.of("column", "id"))))).isEqualTo(GOOD_EXPORT);
    }

    /** One good file: its bytes, the parameters it needs, and what the table holds afterwards. */
    record Good(String name, byte[] content, Map<String, Object> params, List<String> columns, String export) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Good> wellFormed() {
        return Stream.of(
                new Good("CRLF line ends", utf8("id,v\r\n1,a\r\n2,\"b\r\nc\"\r\n"), Map.of(), List.of("id", "v"),
                        "\"1\",\"a\"\n\"2\",\"b\r\nc\"\n"),
                new Good("UTF-8 BOM", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("id,v\n1,a\n")), Map.of(),
                        List.of("id", "v"), "\"1\",\"a\"\n"),
                new Good("UTF-8 BOM before a quoted header", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                        utf8("\"id\",\"v\"\n\"1\",\"a\"\n")), Map.of(), List.of("id", "v"), "\"1\",\"a\"\n"),
                new Good("quoted delimiter, doubled quotes, embedded LF",
                        utf8("id,v\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"line1\nline2\"\n4,\"\"\"\"\n"), Map.of(), List.of("id", "v"),
                        "\"1\",\"a,b\"\n\"2\",\"say \"\"hi\"\"\"\n\"3\",\"line1\nline2\"\n\"4\",\"\"\"\"\n"),
                new Good("multibyte UTF-8", utf8("id,v\n1,žluťoučký kůň\n2,😀🎉\n3,日本語\n"), Map.of(), List.of("id", "v"),
                        "\"1\",\"žluťoučký kůň\"\n\"2\",\"😀🎉\"\n\"3\",\"日本語\"\n"),
                new Good("empty strings next to values", utf8("id,v,w\n1,,x\n2,\"\",\n3,y,\"\"\n"), Map.of(),
                        List.of("id", "v", "w"), "\"1\",\"\",\"x\"\n\"2\",\"\",\"\"\n\"3\",\"y\",\"\"\n"),
                new Good("header only", utf8("id,v\n"), Map.of(), List.of("id", "v"), ""),
                new Good("header only without a final newline", utf8("id,v"), Map.of(), List.of("id", "v"), ""),
                new Good("no newline after the last row", utf8("id,v\n1,a\n2,b"), Map.of(), List.of("id", "v"),
                        "\"1\",\"a\"\n\"2\",\"b\"\n"),
                new Good("custom dialect ; and '", utf8("id;v\n1;'a;b'\n2;'it''s'\n3;\"plain\"\n"),
                        Map.of("delimiter", ";", "enclosure", "'"), List.of("id", "v"),
                        "\"1\",\"a;b\"\n\"2\",\"it's\"\n\"3\",\"\"\"plain\"\"\"\n"),
                new Good("tab delimiter as a tab character", utf8("id\tv\n1\ta b\n2\t\"x\ty\"\n"), Map.of("delimiter", "\t"),
                        List.of("id", "v"), "\"1\",\"a b\"\n\"2\",\"x\ty\"\n"),
                new Good("tab delimiter written as \\t", utf8("id\tv\n1\ta,b\n"), Map.of("delimiter", "\\t"),
                        List.of("id", "v"), "\"1\",\"a,b\"\n"),
                new Good("records ending in a mix of LF, CRLF and CR", utf8("id,v\n1,a\r\n2,\"b\r\nc\"\n3,\"d\ne\"\r4,f"),
                        Map.of(), List.of("id", "v"), "\"1\",\"a\"\n\"2\",\"b\r\nc\"\n\"3\",\"d\ne\"\n\"4\",\"f\"\n"),
                new Good("gzipped file", gzip("id,v\n1,\"multi\nline\"\n2,ž\n"), Map.of(), List.of("id", "v"),
                        "\"1\",\"multi\nline\"\n\"2\",\"ž\"\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wellFormed")
    void goodFileCreatesAndLoadsAndRoundTripsExactly(Good good) throws IOException {
        String name = "good" + TABLE_SEQ.incrementAndGet();
        String tableId = BUCKET + "." + name;
        Map<String, Object> order = Map.of("orderBy", List.of(Map.of("column", "id")));

        JsonNode created = tables.create(BUCKET, name, tables.upload("good.csv", good.content()), good.params());
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        assertThat(detail(tableId).get("columns").toString()).isEqualTo(json(good.columns()));
        assertThat(tables.export(tableId, order)).isEqualTo(good.export());

        // the same file again as a full load into the existing table: the import path reads it the same way
        JsonNode loaded = tables.load(tableId, tables.upload("good.csv", good.content()), good.params());
        assertThat(loaded.get("status").asText()).as(loaded.toString()).isEqualTo("success");
        JsonNode t = detail(tableId);
        assertThat(t.get("columns").toString()).isEqualTo(json(good.columns()));
        long rows = good.export().chars().filter(c -> c == '\n').count() - embeddedNewlines(good.export());
        assertThat(t.get("rowsCount").asLong()).isEqualTo(rows);
        assertThat(loaded.get("results").get("totalRowsCount").asLong()).isEqualTo(rows);
        assertThat(tables.export(tableId, order)).isEqualTo(good.export());
    }

    // ---- helpers

    private String freshTable() {
        String name = "t" + TABLE_SEQ.incrementAndGet();
        JsonNode created = tables.create(BUCKET, name, tables.upload("good.csv", GOOD), Map.of());
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        return BUCKET + "." + name;
    }

    private static JsonNode detail(String tableId) {
        return granary.master().get("/v2/storage/tables/" + tableId).json();
    }

    private static String json(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElse("[]");
    }

    /** Newlines inside quoted values of an exported CSV (every value is quoted, so count per quote parity). */
    private static long embeddedNewlines(String csv) {
        long n = 0;
        boolean quoted = false;
        for (char c : csv.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\n' && quoted) {
                n++;
            }
        }
        return n;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static byte[] gzip(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(utf8(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A valid gzip of a few hundred varied rows cut in half: the header still decompresses, the end is missing. */
    private static byte[] truncatedGzip() {
        StringBuilder sb = new StringBuilder("id,name\n");
        java.util.Random random = new java.util.Random(42);
        for (int i = 3; i < 2000; i++) {
            sb.append(i).append(',').append(Long.toHexString(random.nextLong())).append('\n');
        }
        byte[] whole = gzip(sb.toString());
        return Arrays.copyOf(whole, whole.length / 2);
    }
}
