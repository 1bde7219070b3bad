package io.granary.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend.ExportRequest;
import io.granary.core.port.TableBackend.ExportResult;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.TableBackend.LoadResult;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackend.TableStats;
import io.granary.core.port.TableBackend.WhereFilter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link TableBackend} must do. Subclasses open a fresh, empty backend in {@code dir}. */
public abstract class TableBackendContract {

    @TempDir
    protected Path dir;

    protected TableBackend backend;

    protected final TableRef orders = new TableRef("in.c-main", "orders");
    private final Instant t1 = Instant.parse("2024-01-01T10:00:00Z");
    private final Instant t2 = Instant.parse("2024-01-02T10:00:00Z");
    private final String runId = java.util.UUID.randomUUID().toString();
    private int fileNo;

    protected abstract TableBackend openBackend(Path dir);

    @BeforeEach
    void open() {
        backend = openBackend(dir.resolve("backend"));
    }

    @AfterEach
    void close() {
        backend.close();
    }

    // ---- tables

    @Test
    void tablesAreCreatedListedAndDropped() {
        assertThat(backend.exists(orders)).isFalse();
        backend.createTable(orders, List.of("id", "name"));
        assertThat(backend.exists(orders)).isTrue();
        assertThat(backend.columns(orders)).containsExactly("id", "name");
        assertThat(backend.stats(orders).rows()).isZero();
        assertCode(() -> backend.createTable(orders, List.of("id")), ErrorCode.TABLE_ALREADY_EXISTS);

        TableRef other = new TableRef("out.c-x\"y", "we\"ird name");
        backend.createTable(other, List.of("a\"b", "c d"));
        assertThat(backend.columns(other)).containsExactly("a\"b", "c d");

        backend.dropTable(orders);
        backend.dropTable(orders);
        backend.dropTable(new TableRef("in.c-none", "x"));
        assertThat(backend.exists(orders)).isFalse();
        assertThat(backend.exists(other)).isTrue();
        assertCode(() -> backend.columns(orders), ErrorCode.TABLES_NOT_FOUND);
    }

    // ---- loads

    @Test
    void totalsAfterALoadAreTheTablesOwnWhateverTheRecordedCountsSay() {
        backend.createTable(orders, List.of("id", "name"));
        LoadResult full = load(false, List.of(), t1, true, "id,name\n1,a\n2,bb\n");
        assertTotals(full);

        LoadResult added = backend.load(orders, withBefore(file("id,name\n3,ccc\n"), full.totalRows(), full.totalBytes()),
                noProgress());
        assertThat(added.totalRows()).isEqualTo(3);
        assertTotals(added);

        // counts recorded wrongly (a catalog behind the table) must not carry into the new totals
        LoadResult stale = backend.load(orders, withBefore(file("id,name\n4,d\n"), 99, 5), noProgress());
        assertThat(stale.totalRows()).isEqualTo(4);
        assertTotals(stale);
    }

    /**
     * A load's totals against the backend's own count of the table. The size is compared only where a backend's
     * size is a pure function of the rows (a PostgreSQL table's pages may change under autovacuum).
     */
    protected void assertTotals(LoadResult result) {
        assertThat(result.totalRows()).isEqualTo(backend.stats(orders).rows());
        assertThat(result.totalBytes()).isPositive();
    }

    private LoadRequest withBefore(Path file, long rows, long bytes) {
        return new LoadRequest(List.of(file), true, CsvDialect.RFC, List.of("id", "name"), true, List.of(), t2, null,
                true, new TableStats(rows, bytes));
    }

    @Test
    void fullLoadReplacesAndIncrementalAppends() {
        backend.createTable(orders, List.of("id", "name"));
        LoadResult first = load(false, List.of(), t1, true, "id,name\n1,a\n2,b\n");
        assertThat(first.loadedRows()).isEqualTo(2);
        assertThat(first.totalRows()).isEqualTo(2);
        assertThat(first.addedColumns()).isEmpty();
        assertThat(first.columns()).containsExactly("id", "name");
        assertThat(first.totalBytes()).isPositive();

        load(false, List.of(), t1, true, "id,name\n3,c\n");
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("3", "c"));

        LoadResult inc = load(true, List.of(), t2, true, "id,name\n4,d\n3,c\n");
        assertThat(inc.totalRows()).isEqualTo(3);
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("3", "c"), List.of("4", "d"), List.of("3", "c"));
    }

    @Test
    void primaryKeyKeepsTheLastOccurrenceWithinFilesAndAcrossLoads() {
        backend.createTable(orders, List.of("id", "name"));
        LoadResult full = load(false, List.of("id"), t1, true, "id,name\n1,a\n2,b\n1,c\n2,d\n3,e\n1,f\n");
        assertThat(full.loadedRows()).isEqualTo(3);
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("1", "f"), List.of("2", "d"), List.of("3", "e"));

        LoadResult inc = load(true, List.of("id"), t2, true, "id,name\n2,x\n4,y\n2,z\n");
        assertThat(inc.totalRows()).isEqualTo(4);
        assertThat(rows(orders)).containsExactlyInAnyOrder(
                List.of("1", "f"), List.of("2", "z"), List.of("3", "e"), List.of("4", "y"));

        // last occurrence across several slices, compound key
        TableRef compound = new TableRef("in.c-main", "compound");
        backend.createTable(compound, List.of("a", "b", "v"));
        backend.load(compound, request(List.of(file("1,1,first\n1,2,x\n"), gzip("1,1,second\n"), file("1,1,third\n")),
                false, List.of("a", "b", "v"), false, List.of("a", "b"), t1), noProgress());
        assertThat(rows(compound)).containsExactlyInAnyOrder(List.of("1", "1", "third"), List.of("1", "2", "x"));
    }

    @Test
    void fileColumnsTheTableLacksAreAddedAndColumnsMapByName() {
        backend.createTable(orders, List.of("id", "name"));
        load(false, List.of(), t1, true, "id,name\n1,a\n");
        LoadResult r = backend.load(orders, request(List.of(file("extra,name,id\nx,b,2\n")), true,
                List.of("extra", "name", "id"), true, List.of(), t2), noProgress());
        assertThat(r.addedColumns()).containsExactly("extra");
        assertThat(r.columns()).containsExactly("id", "name", "extra");
        assertThat(backend.columns(orders)).containsExactly("id", "name", "extra");
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("1", "a", ""), List.of("2", "b", "x"));

        // a full load in another column order, adding two columns
        LoadResult full = backend.load(orders, request(List.of(file("z,extra,name,id,y\n1,2,3,4,5\n")), true,
                List.of("z", "extra", "name", "id", "y"), false, List.of(), t2), noProgress());
        assertThat(full.addedColumns()).containsExactly("z", "y");
        assertThat(backend.columns(orders)).containsExactly("id", "name", "extra", "z", "y");
        assertThat(rows(orders)).containsExactly(List.of("4", "3", "2", "1", "5"));
    }

    @Test
    void quotingEmptyValuesNewlinesAndLineEnds() {
        backend.createTable(orders, List.of("id", "name"));
        String lf = "id,name\n1,\n2,\"\"\n3,\"a,b\"\n4,\"say \"\"hi\"\"\"\n5,\"two\nlines\"\n6,\"crlf\r\ninside\"\n,7\n";
        load(false, List.of(), t1, true, lf);
        assertThat(rows(orders)).containsExactlyInAnyOrder(
                List.of("1", ""), List.of("2", ""), List.of("3", "a,b"), List.of("4", "say \"hi\""),
                List.of("5", "two\nlines"), List.of("6", "crlf\r\ninside"), List.of("", "7"));

        load(false, List.of(), t1, true, "id,name\r\n1,a\r\n2,\"x\ny\"\r\n3,\r\n");
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("1", "a"), List.of("2", "x\ny"), List.of("3", ""));

        // no final line end; other dialects
        load(false, List.of(), t1, true, "id,name\n1,last");
        assertThat(rows(orders)).containsExactly(List.of("1", "last"));
        backend.load(orders, request(List.of(file("1\t'a\tb'\n2\t'it''s'\n")), false, List.of("id", "name"),
                false, List.of(), t1, new CsvDialect('\t', '\'', null)), noProgress());
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("1", "a\tb"), List.of("2", "it's"));
        backend.load(orders, request(List.of(file("1;\"a\\\"b\"\n")), false, List.of("id", "name"),
                false, List.of(), t1, new CsvDialect(';', '"', '\\')), noProgress());
        assertThat(rows(orders)).containsExactly(List.of("1", "a\"b"));
    }

    @Test
    void utf8TextAndByteOrderMark() {
        backend.createTable(orders, List.of("id", "name"));
        load(false, List.of(), t1, true, "\uFEFFid,name\n1,Příliš žluťoučký kůň\n2,日本語 🚀\n");
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("1", "Příliš žluťoučký kůň"), List.of("2", "日本語 🚀"));
        backend.load(orders, request(List.of(file("\uFEFF1,x\n")), false, List.of("id", "name"), false, List.of(), t1),
                noProgress());
        assertThat(rows(orders)).containsExactly(List.of("1", "x"));
    }

    @Test
    void gzipFilesAndSeveralSlicesWithoutHeader() {
        backend.createTable(orders, List.of("id", "name"));
        AtomicLong reportedBytes = new AtomicLong();
        AtomicLong reportedRows = new AtomicLong();
        List<Path> slices = List.of(gzip("1,a\n2,b\n"), gzip("3,c\n"), file("4,d\n"), gzip(""), file(""), gzip("5,e\n"));
        long size = slices.stream().mapToLong(p -> size(p)).sum();
        LoadResult r = backend.load(orders, request(slices, false, List.of("id", "name"), false, List.of(), t1),
                (bytes, rows) -> {
                    reportedBytes.set(bytes);
                    reportedRows.set(rows);
                });
        assertThat(r.loadedRows()).isEqualTo(5);
        assertThat(reportedBytes.get()).isEqualTo(size);
        assertThat(reportedRows.get()).isEqualTo(5);
        assertThat(rows(orders)).extracting(row -> row.get(0)).containsExactlyInAnyOrder("1", "2", "3", "4", "5");

        load(false, List.of(), t1, true, "id,name\n");
        assertThat(backend.stats(orders).rows()).isZero();
        backend.load(orders, request(List.of(gzip("id,name\n")), true, List.of("id", "name"), false, List.of(), t1),
                noProgress());
        assertThat(backend.stats(orders).rows()).isZero();
    }

    @Test
    void firstRecordWithAQuotedCrLfInAnLfFileWithoutHeader() {
        backend.createTable(orders, List.of("id", "name"));
        List<Path> slices = List.of(file("\"x\r\ny\",\"z\"\n\"2\",\"3\"\n"), gzip("\"a\r\nb\",\"c\"\n"),
                file("5,\"crlf\r\nfile\"\r\n6,f\r\n"));
        backend.load(orders, request(slices, false, List.of("id", "name"), false, List.of(), t1), noProgress());
        assertThat(rows(orders)).extracting(row -> row.get(0) + "|" + row.get(1))
                .containsExactlyInAnyOrder("x\r\ny|z", "2|3", "a\r\nb|c", "5|crlf\r\nfile", "6|f");
    }

    @Test
    void malformedFilesFailWithInvalidCsvAndChangeNothing() throws IOException {
        backend.createTable(orders, List.of("id", "name"));
        load(false, List.of(), t1, true, "id,name\n1,a\n2,b\n");
        List<List<String>> before = rows(orders);

        byte[] valid = gzipBytes("id,name,extra\n" + "5,x,y\n".repeat(20_000));
        Object[][] corpus = {
            {"unclosed quote", bytes("id,name,extra\n1,\"abc,x\n2,b,c\n"), "unterminated quote"},
            {"too many fields", bytes("id,name,extra\n1,a,x\n2,b,c,d\n"), "line 3"},
            {"too few fields", bytes("id,name,extra\n1,a,x\n2,b\n"), "expected 3 fields, found 2"},
            {"bad gzip", concat(new byte[] {0x1f, (byte) 0x8b, 8, 0}, bytes("definitely not deflate data")), "gzip"},
            {"truncated gzip", Arrays.copyOf(valid, valid.length / 2), "gzip"},
            {"gzip with a wrong CRC", wrongCrc(valid), "gzip"},
            {"invalid utf-8", concat(bytes("id,name,extra\n1,"), new byte[] {(byte) 0xff, (byte) 0xfe}, bytes(",x\n")), "utf-8"},
            {"wrong delimiter", bytes("id;name;extra\n1;a;x\n"), "expected 3 fields, found 1"},
        };
        for (Object[] c : corpus) {
            Path f = dir.resolve("bad-" + fileNo++ + ".csv");
            write(f, (byte[]) c[1]);
            for (boolean incremental : new boolean[] {false, true}) {
                assertThatThrownBy(() -> backend.load(orders, request(List.of(f), true, List.of("id", "name", "extra"),
                        incremental, List.of("id"), t2), noProgress()))
                        .as((String) c[0])
                        .isInstanceOfSatisfying(GranaryException.class, e -> {
                            assertThat(e.errorCode()).as(c[0] + ": " + e.getMessage()).isEqualTo(ErrorCode.INVALID_CSV);
                            assertThat(e.getMessage()).as((String) c[0]).containsIgnoringCase((String) c[2])
                                    .doesNotContainIgnoringCase("select").doesNotContain("__").hasSizeLessThan(300);
                        });
                assertThat(backend.columns(orders)).as((String) c[0]).containsExactly("id", "name");
                assertThat(rows(orders)).as((String) c[0]).containsExactlyInAnyOrderElementsOf(before);
            }
        }
        // the line number is named
        Path ragged = file("id,name,extra\n1,a,x\n2,b,c,d\n");
        assertThatThrownBy(() -> backend.load(orders, request(List.of(ragged), true, List.of("id", "name", "extra"),
                false, List.of(), t2), noProgress()))
                .hasMessageContaining("Line 3").hasMessageContaining("expected 3 fields, found 4");
    }

    // ---- exports

    @Test
    void exportRoundTripsWithAndWithoutGzip() {
        backend.createTable(orders, List.of("id", "name"));
        String content = "id,name\n1,\n2,\"a,b\"\n3,\"say \"\"hi\"\"\"\n4,\"two\nlines\"\n5,\"cr\r\nlf\"\n6,日本語\n";
        load(false, List.of(), t1, true, content);
        List<List<String>> expected = List.of(List.of("1", ""), List.of("2", "a,b"), List.of("3", "say \"hi\""),
                List.of("4", "two\nlines"), List.of("5", "cr\r\nlf"), List.of("6", "日本語"));
        for (boolean gzip : new boolean[] {false, true}) {
            Exported r = export(orders, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, gzip, false));
            assertThat(r.result().rows()).isEqualTo(6);
            assertThat(r.result().columns()).containsExactly("id", "name");
            assertThat(r.csvRows(gzip)).containsExactlyInAnyOrderElementsOf(expected);
            String raw = new String(r.bytes(0, gzip), StandardCharsets.UTF_8);
            assertThat(raw).doesNotContain("\r\n\"").endsWith("\"\n").startsWith("\"");
        }
        Exported ordered = export(orders, new ExportRequest(List.of("name", "id"), RowSelection.ALL, List.of("id"), null,
                false, false));
        assertThat(ordered.csvRows(false)).containsExactly(List.of("", "1"), List.of("a,b", "2"),
                List.of("say \"hi\"", "3"), List.of("two\nlines", "4"), List.of("cr\r\nlf", "5"), List.of("日本語", "6"));
    }

    @Test
    void emptyExportWritesOneEmptySlice() {
        backend.createTable(orders, List.of("id", "name"));
        for (boolean gzip : new boolean[] {false, true}) {
            Exported r = export(orders, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, gzip, true));
            assertThat(r.result().rows()).isZero();
            assertThat(r.result().slices()).hasSize(1);
            assertThat(r.room().keys()).contains(r.result().slices().get(0));
            assertThat(r.bytes(0, gzip)).isEmpty();
            assertThat(r.result().columns()).containsExactly("id", "name", TableBackend.TIMESTAMP_COLUMN);
        }
    }

    @Test
    void exportHandsItsSlicesOverUnderTheTargetsPrefixOnly() {
        backend.createTable(orders, List.of("id", "v", "w"));
        backend.load(orders, request(List.of(bigFile("seam", 50_000)), true, List.of("id", "v", "w"), false, List.of(), t1),
                noProgress());
        for (boolean gzip : new boolean[] {false, true}) {
            Exported e = export(orders, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, gzip, false));
            String prefix = e.room().target().keyPrefix();
            assertThat(e.result().slices()).isNotEmpty().allSatisfy(key -> assertThat(key).startsWith(prefix)
                    .isNotEqualTo(prefix).isNotEqualTo(prefix + "manifest").doesNotContain("//"));
            // clients save slices by file name: no two alike
            assertThat(e.result().slices().stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList())
                    .doesNotHaveDuplicates();
            assertThat(e.room().keys()).as("nothing outside the prefix").allSatisfy(key -> assertThat(key).startsWith(prefix))
                    .containsAll(e.result().slices());
            assertThat(e.csvRows(gzip)).hasSize(50_000).doesNotHaveDuplicates();
            assertThat(filesIn(e.room().target().scratchDir())).as("every slice handed over").isEmpty();
        }
    }

    @Test
    void aRefusedExportStoresNothing() {
        backend.createTable(orders, List.of("id"));
        loadInto(orders, List.of("id"), "id\n1\n");
        ExportRoom room = newRoom(orders);
        assertCode(() -> backend.export(orders, new ExportRequest(List.of("nope"), RowSelection.ALL, List.of(), null, true,
                false), room.target()), ErrorCode.TABLES_VALIDATION);
        assertCode(() -> backend.export(orders, new ExportRequest(List.of(), new RowSelection(List.of(WhereFilter.of("nope",
                "eq", List.of("x"))), null, null), List.of(), null, false, false), room.target()), ErrorCode.TABLES_VALIDATION);
        assertThat(room.keys()).isEmpty();
    }

    @Test
    void exportSelectsColumnsRowsAndTimes() {
        backend.createTable(orders, List.of("id", "status", "amount"));
        load(false, List.of(), t1, true, "id,status,amount\n1,new,10\n2,paid,20\n3,new,30\n");
        load(true, List.of("id"), t2, true, "id,status,amount\n4,sent,40\n3,paid,35\n");

        assertThat(export(List.of("id"), sel(WhereFilter.of("status", "eq", List.of("paid", "sent"))), List.of("id"), null))
                .containsExactly(List.of("2"), List.of("3"), List.of("4"));
        assertThat(export(List.of("id"), sel(WhereFilter.of("status", "ne", List.of("paid"))), List.of("id"), null))
                .containsExactly(List.of("1"), List.of("4"));
        assertThat(export(List.of("id"), sel(WhereFilter.of("amount", "ge", List.of("30"))), List.of("id"), null))
                .containsExactly(List.of("3"), List.of("4"));
        assertThat(export(List.of("id"), sel(WhereFilter.of("amount", "lt", List.of("20")),
                WhereFilter.of("status", "eq", List.of("new"))), List.of("id"), null))
                .containsExactly(List.of("1"));
        assertThat(export(List.of("amount", "id"), RowSelection.ALL, List.of("amount"), 2L))
                .containsExactly(List.of("10", "1"), List.of("20", "2"));
        RowSelection since = new RowSelection(List.of(), t2, null);
        assertThat(export(List.of("id"), since, List.of("id"), null)).containsExactly(List.of("3"), List.of("4"));
        RowSelection until = new RowSelection(List.of(), null, t2);
        assertThat(export(List.of("id"), until, List.of("id"), null)).containsExactly(List.of("1"), List.of("2"));

        Exported withTime = export(orders, new ExportRequest(List.of("id"), RowSelection.ALL, List.of("id"), 1L, false,
                true));
        assertThat(withTime.result().columns()).containsExactly("id", TableBackend.TIMESTAMP_COLUMN);
        assertThat(withTime.csvRows(false)).containsExactly(List.of("1", "2024-01-01 10:00:00"));

        assertCode(() -> export(List.of("nope"), RowSelection.ALL, List.of(), null), ErrorCode.TABLES_VALIDATION);
        assertCode(() -> export(List.of(), sel(WhereFilter.of("nope", "eq", List.of("x"))), List.of(), null),
                ErrorCode.TABLES_VALIDATION);
        assertCode(() -> export(List.of(), sel(WhereFilter.of("id", "like", List.of("x"))), List.of(), null),
                ErrorCode.TABLES_VALIDATION);
    }

    // ---- Parquet exports

    /**
     * Capability hook: whether the backend writes Parquet exports. Every backend should; one that does not yet
     * must refuse them with {@code NOT_IMPLEMENTED} and store nothing, which the Parquet cases then check instead.
     */
    protected boolean writesParquet() {
        return true;
    }

    private static ExportRequest parquet(List<String> columns, RowSelection selection, List<String> orderBy, Long limit,
            boolean compressed, boolean includeTimestamp) {
        return new ExportRequest(columns, selection, orderBy, limit, FileType.PARQUET, compressed, includeTimestamp);
    }

    @Test
    void parquetExportWritesOneStringColumnPerTableColumn() {
        backend.createTable(orders, List.of("id", "Name"));
        load(false, List.of(), t1, true,
                "id,Name\n1,\n2,\"a,b\"\n3,\"say \"\"hi\"\"\"\n4,\"two\nlines\"\n5,\"cr\r\nlf\"\n6,日本語\n");
        backend.addColumn(orders, "late");
        assertThat(backend.exports(FileType.PARQUET)).isEqualTo(writesParquet());
        if (!writesParquet()) {
            ExportRoom room = newRoom(orders);
            assertCode(() -> backend.export(orders, parquet(List.of(), RowSelection.ALL, List.of(), null, true, false),
                    room.target()), ErrorCode.NOT_IMPLEMENTED);
            assertThat(room.keys()).isEmpty();
            return;
        }
        List<List<String>> expected = List.of(List.of("1", "", ""), List.of("2", "a,b", ""),
                List.of("3", "say \"hi\"", ""), List.of("4", "two\nlines", ""), List.of("5", "cr\r\nlf", ""),
                List.of("6", "日本語", ""));
        for (boolean compressed : new boolean[] {false, true}) {
            Exported r = export(orders, parquet(List.of(), RowSelection.ALL, List.of(), null, compressed, false));
            assertThat(r.result().rows()).isEqualTo(6);
            assertThat(r.result().columns()).containsExactly("id", "Name", "late");
            assertThat(r.result().slices()).allSatisfy(key -> assertThat(key).endsWith(".parquet"));
            assertThat(r.parquetRows()).as("'' stays '', never null").containsExactlyInAnyOrderElementsOf(expected);
            for (int i = 0; i < r.result().slices().size(); i++) {
                byte[] slice = r.room().read(r.result().slices().get(i));
                assertThat(ParquetSlices.schema(slice)).containsExactly(new ParquetSlices.Column("id", "BYTE_ARRAY", true),
                        new ParquetSlices.Column("Name", "BYTE_ARRAY", true),
                        new ParquetSlices.Column("late", "BYTE_ARRAY", true));
                List<String> codecs = ParquetSlices.compressions(slice);
                if (!codecs.isEmpty()) {
                    assertThat(codecs).containsExactly(compressed ? "SNAPPY" : "UNCOMPRESSED");
                }
            }
        }
    }

    @Test
    void parquetExportSelectsColumnsRowsAndTimesAsCsvDoes() {
        if (!writesParquet()) {
            return;
        }
        backend.createTable(orders, List.of("id", "status", "amount"));
        load(false, List.of(), t1, true, "id,status,amount\n1,new,10\n2,paid,20\n3,new,30\n");
        load(true, List.of("id"), t2, true, "id,status,amount\n4,sent,40\n3,paid,35\n");
        List<RowSelection> selections = List.of(RowSelection.ALL, sel(WhereFilter.of("status", "eq", List.of("paid", "sent"))),
                sel(WhereFilter.of("status", "ne", List.of("paid"))), sel(WhereFilter.of("amount", "ge", List.of("30"))),
                new RowSelection(List.of(), t2, null), new RowSelection(List.of(), null, t2));
        for (RowSelection selection : selections) {
            for (Long limit : new Long[] {null, 2L}) {
                ExportRequest csv = new ExportRequest(List.of("amount", "id"), selection, List.of("id"), limit, false, true);
                List<List<String>> expected = export(orders, csv).csvRows(false);
                Exported p = export(orders, parquet(List.of("amount", "id"), selection, List.of("id"), limit, true, true));
                assertThat(p.result().columns()).containsExactly("amount", "id", TableBackend.TIMESTAMP_COLUMN);
                assertThat(p.parquetRows()).as(selection + " limit " + limit).containsExactlyElementsOf(expected);
            }
        }
        assertThat(export(orders, parquet(List.of("id"), new RowSelection(List.of(), t2, null), List.of("id"), null, true,
                false)).parquetRows()).containsExactly(List.of("3"), List.of("4"));
        assertCode(() -> export(orders, parquet(List.of("nope"), RowSelection.ALL, List.of(), null, true, false)),
                ErrorCode.TABLES_VALIDATION);
    }

    @Test
    void emptyParquetExportIsOneFileWithTheColumnsAndNoRows() {
        if (!writesParquet()) {
            return;
        }
        backend.createTable(orders, List.of("id", "name"));
        Exported r = export(orders, parquet(List.of(), RowSelection.ALL, List.of(), null, true, true));
        assertThat(r.result().rows()).isZero();
        assertThat(r.result().slices()).singleElement().satisfies(key -> assertThat(key).endsWith(".parquet"));
        byte[] slice = r.room().read(r.result().slices().get(0));
        assertThat(ParquetSlices.rows(slice)).isEmpty();
        assertThat(ParquetSlices.schema(slice)).extracting(ParquetSlices.Column::name)
                .containsExactly("id", "name", TableBackend.TIMESTAMP_COLUMN);
        assertThat(filesIn(r.room().target().scratchDir())).as("every slice handed over").isEmpty();
    }

    @Test
    void previewAndDeleteRows() {
        backend.createTable(orders, List.of("id", "status"));
        load(false, List.of(), t1, true, "id,status\n1,new\n2,paid\n3,new\n4,\n");
        assertThat(backend.preview(orders, List.of(), RowSelection.ALL, 1000)).hasSize(4)
                .contains(List.of("4", ""), List.of("1", "new"));
        assertThat(backend.preview(orders, List.of("status"), sel(WhereFilter.of("id", "eq", List.of("2"))), 10))
                .containsExactly(List.of("paid"));
        assertThat(backend.preview(orders, List.of(), RowSelection.ALL, 2)).hasSize(2);

        assertThat(backend.deleteRows(orders, sel(WhereFilter.of("status", "eq", List.of("new"))))).isEqualTo(2);
        assertThat(backend.deleteRows(orders, sel(WhereFilter.of("status", "eq", List.of("new"))))).isZero();
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("2", "paid"), List.of("4", ""));
        assertCode(() -> backend.deleteRows(orders, sel(WhereFilter.of("nope", "eq", List.of("x")))),
                ErrorCode.TABLES_VALIDATION);
        assertThat(backend.deleteRows(orders, RowSelection.ALL)).isEqualTo(2);
        assertThat(backend.stats(orders).rows()).isZero();
    }

    @Test
    void columnsAreAddedAndDropped() {
        backend.createTable(orders, List.of("id", "name"));
        load(false, List.of(), t1, true, "id,name\n1,a\n");
        backend.addColumn(orders, "extra");
        assertThat(backend.columns(orders)).containsExactly("id", "name", "extra");
        assertThat(rows(orders)).containsExactly(List.of("1", "a", ""));
        assertCode(() -> backend.addColumn(orders, "extra"), ErrorCode.COLUMN_ALREADY_EXISTS);
        backend.dropColumn(orders, "name");
        assertThat(backend.columns(orders)).containsExactly("id", "extra");
        assertThat(rows(orders)).containsExactly(List.of("1", ""));
        assertThat(backend.stats(orders)).satisfies(s -> assertThat(s.rows()).isEqualTo(1));
    }

    @Test
    void loadsIntoDifferentTablesRunAtTheSameTime() throws Exception {
        TableRef a = new TableRef("in.c-main", "a");
        TableRef b = new TableRef("in.c-main", "b");
        backend.createTable(a, List.of("id", "v"));
        backend.createTable(b, List.of("id", "v"));
        Path fa = bigFile("a", 50_000);
        Path fb = bigFile("b", 60_000);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                boolean incremental = round > 0;
                Future<LoadResult> ra = pool.submit(() -> backend.load(a, request(List.of(fa), true, List.of("id", "v"),
                        incremental, List.of("id"), t1), noProgress()));
                Future<LoadResult> rb = pool.submit(() -> backend.load(b, request(List.of(fb), true, List.of("id", "v", "w"),
                        incremental, List.of(), t1), noProgress()));
                assertThat(ra.get().totalRows()).isEqualTo(50_000);
                assertThat(rb.get().totalRows()).isEqualTo(60_000L * (round + 1));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(backend.columns(b)).containsExactly("id", "v", "w");
    }

    @Test
    void bigLoadKeepsCounts() {
        backend.createTable(orders, List.of("id", "v"));
        Path big = bigFile("big", 200_000);
        LoadResult r = backend.load(orders, request(List.of(big), true, List.of("id", "v", "w"), false, List.of("id"), t1),
                noProgress());
        assertThat(r.totalRows()).isEqualTo(200_000);
        LoadResult again = backend.load(orders, request(List.of(big), true, List.of("id", "v", "w"), true, List.of("id"), t2),
                noProgress());
        assertThat(again.totalRows()).isEqualTo(200_000);
        Exported e = export(orders, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, true, false));
        assertThat(e.result().rows()).isEqualTo(200_000);
        assertThat(e.csvRows(true)).hasSize(200_000);
        assertThat(backend.stats(orders).bytes()).isGreaterThan(200_000L * 10);
    }

    // ---- idempotent retries

    @Test
    void aLoadRetriedWithTheSameIdIsAppliedOnce() {
        backend.createTable(orders, List.of("id", "name"));
        Path data = file("id,name\n1,a\n2,b\n");
        LoadRequest append = new LoadRequest(List.of(data), true, CsvDialect.RFC, List.of("id", "name"), true, List.of(),
                t1, "job-41");
        // a job's first start says so (the backend need not look for an earlier load), and still records its id
        LoadRequest firstStart = new LoadRequest(List.of(data), true, CsvDialect.RFC, List.of("id", "name"), true,
                List.of(), t1, "job-41", false);
        LoadResult first = backend.load(orders, firstStart, noProgress());
        LoadResult retried = backend.load(orders, append, noProgress());
        assertThat(first.loadedRows()).isEqualTo(2);
        assertThat(retried.loadedRows()).isEqualTo(2);
        assertThat(retried.totalRows()).isEqualTo(2);
        assertThat(rows(orders)).hasSize(2);

        // another id, or no id, loads again; the id is per table
        backend.load(orders, new LoadRequest(List.of(data), true, CsvDialect.RFC, List.of("id", "name"), true, List.of(),
                t2, "job-42"), noProgress());
        backend.load(orders, new LoadRequest(List.of(data), true, CsvDialect.RFC, List.of("id", "name"), true, List.of(),
                t2, null), noProgress());
        assertThat(rows(orders)).hasSize(6);
        TableRef other = new TableRef("in.c-main", "other");
        backend.createTable(other, List.of("id", "name"));
        assertThat(backend.load(other, append, noProgress()).loadedRows()).isEqualTo(2);
        assertThat(rows(other)).hasSize(2);
    }

    @Test
    void aFailedLoadDoesNotRecordItsId() {
        backend.createTable(orders, List.of("id", "name"));
        LoadRequest bad = new LoadRequest(List.of(file("id,name\n1,\"open\n")), true, CsvDialect.RFC,
                List.of("id", "name"), true, List.of(), t1, "job-7");
        assertThatThrownBy(() -> backend.load(orders, bad, noProgress())).isInstanceOf(GranaryException.class);
        LoadRequest good = new LoadRequest(List.of(file("id,name\n1,a\n")), true, CsvDialect.RFC, List.of("id", "name"),
                true, List.of(), t1, "job-7");
        assertThat(backend.load(orders, good, noProgress()).loadedRows()).isEqualTo(1);
        assertThat(rows(orders)).hasSize(1);
    }

    @Test
    void aDroppedAndRecreatedTableForgetsItsLoadIds() {
        backend.createTable(orders, List.of("id", "name"));
        LoadRequest load = new LoadRequest(List.of(file("id,name\n1,a\n")), true, CsvDialect.RFC, List.of("id", "name"),
                false, List.of(), t1, "job-9");
        backend.load(orders, load, noProgress());
        backend.dropTable(orders);
        backend.createTable(orders, List.of("id", "name"));
        backend.load(orders, load, noProgress());
        assertThat(rows(orders)).hasSize(1);
    }

    // ---- parity: every engine reads, compares and fails as DuckDB does

    @Test
    void stringsCompareAndSortByteByByte() {
        TableRef t = new TableRef("in.c-main", "sorted");
        backend.createTable(t, List.of("v"));
        loadInto(t, List.of("v"), "v\na\nB\né\nz\n10\n9\n");
        assertThat(exportJoined(t, List.of("v"), RowSelection.ALL, List.of("v")))
                .containsExactly("10", "9", "B", "a", "z", "é");
        assertThat(exportJoined(t, List.of("v"), new RowSelection(List.of(WhereFilter.of("v", "gt", List.of("Z"))), null,
                null), List.of("v"))).containsExactly("a", "z", "é");
    }

    @Test
    void aLoneEndOfDataMarkerIsAValueNotTheEndOfTheFile() {
        TableRef single = new TableRef("in.c-main", "single");
        backend.createTable(single, List.of("v"));
        loadInto(single, List.of("v"), "v\n1\n\\.\n2\n");
        assertThat(exportJoined(single, List.of("v"), RowSelection.ALL, List.of("v"))).containsExactly("1", "2", "\\.");

        TableRef pair = new TableRef("in.c-main", "pair");
        backend.createTable(pair, List.of("a", "b"));
        assertThatThrownBy(() -> loadInto(pair, List.of("a", "b"), "a,b\n1,x\n\\.\n2,y\n"))
                .hasMessage("Invalid CSV file. Line 3: expected 2 fields, found 1.");
    }

    @Test
    void blankLinesAndTrailingEmptyFieldsAreIgnored() {
        TableRef t = new TableRef("in.c-main", "blank");
        backend.createTable(t, List.of("a", "b"));
        loadInto(t, List.of("a", "b"), "a,b\n\n1,x,\n\n2,,,\"\"\n\n3,\"\"\n");
        assertThat(rows(t)).containsExactlyInAnyOrder(List.of("1", "x"), List.of("2", ""), List.of("3", ""));

        TableRef one = new TableRef("in.c-main", "one");
        backend.createTable(one, List.of("v"));
        loadInto(one, List.of("v"), "v\n1\n\n2,\n");
        assertThat(rows(one)).containsExactlyInAnyOrder(List.of("1"), List.of(""), List.of("2"));
    }

    /** A blank line is no record whatever it ends with, in a file whose records end otherwise. */
    @Test
    void blankLinesEndingOtherwiseThanTheRecordsAreIgnoredToo() {
        TableRef t = new TableRef("in.c-main", "blank_ends");
        backend.createTable(t, List.of("a", "b"));
        // a blank CRLF line in an LF file
        loadInto(t, List.of("a", "b"), "a,b\n\n1,x,\n\r\n2,,,\"\"\n");
        assertThat(rows(t)).containsExactlyInAnyOrder(List.of("1", "x"), List.of("2", ""));
        // blank LF and CR lines in a CRLF file
        loadInto(t, List.of("a", "b"), "a,b\r\n1,x\r\n\n2,y\r\n\r3,z\r\n\r\n");
        assertThat(rows(t)).containsExactlyInAnyOrder(List.of("1", "x"), List.of("2", "y"), List.of("3", "z"));

        // with one column a blank line is an empty value, whatever it ends with
        TableRef one = new TableRef("in.c-main", "one_ends");
        backend.createTable(one, List.of("v"));
        loadInto(one, List.of("v"), "v\n1\n\r\n2\n");
        assertThat(rows(one)).containsExactlyInAnyOrder(List.of("1"), List.of(""), List.of("2"));
        assertThat(stagingTables()).isEmpty();
    }

    @Test
    void spacesAroundQuotedValuesAreNotPartOfThem() {
        TableRef t = new TableRef("in.c-main", "quotes");
        backend.createTable(t, List.of("a", "b"));
        loadInto(t, List.of("a", "b"), "a,b\n3, \"x\" \n4,\"y\"\"z\"\n5,\"12\"\" pizza\"\n");
        assertThat(rows(t)).containsExactlyInAnyOrder(List.of("3", "x"), List.of("4", "y\"z"), List.of("5", "12\" pizza"));
    }

    // ---- strict RFC 4180: the same file gives the same result on every backend

    @Test
    void badFilesAreRefusedNamingTheFileAndThePhysicalLineOfTheRecord() {
        TableRef t = new TableRef("in.c-main", "errors");
        backend.createTable(t, List.of("a", "b"));
        loadInto(t, List.of("a", "b"), "a,b\n1,kept\n");
        String two = "Invalid CSV file (file 2 of 2). ";
        List<String[]> cases = List.of(
            new String[] {"a,b\n1,\"two\nlines\"\n2,b,c\n", two + "Line 4: expected 2 fields, found 3."},
            new String[] {"a,b\n1,\"open\n2,x\n", two + "Line 2: a quoted value is not closed (unterminated quote)."},
            new String[] {"a,b\n1,ok\n2,12\" pizza\n", two + "Line 3: an enclosure character (\") inside a value that is"
                + " not enclosed (enclose the value and double the character)."},
            new String[] {"a,b\n1,\"multi\nline\"\n2,a\"b\"c\n", two + "Line 4: an enclosure character (\") inside a value"
                + " that is not enclosed (enclose the value and double the character)."},
            new String[] {"a,b\n1,\"x\"y\n", two + "Line 2: a quoted value is followed by other characters before the"
                + " delimiter (stray enclosure character)."},
            new String[] {"a,b\n1,ok\n2,x\u0000y\n", two + "Line 3: a NUL character (byte 0x00), which CSV text may not"
                + " contain."},
            new String[] {"a,b\r\n1,\"x\r\n\u0000\"\r\n", two + "Line 3: a NUL character (byte 0x00), which CSV text may"
                + " not contain."});
        for (String[] c : cases) {
            for (boolean gzip : new boolean[] {false, true}) {
                List<Path> paths = List.of(file("a,b\n9,fine\n"), gzip ? gzip(c[0]) : file(c[0]));
                for (boolean incremental : new boolean[] {false, true}) {
                    assertThatThrownBy(() -> backend.load(t, new LoadRequest(paths, true, CsvDialect.RFC,
                            List.of("a", "b"), incremental, List.of(), t1, null), noProgress()))
                            .as(c[0] + (gzip ? " gzip" : "") + (incremental ? " incremental" : ""))
                            .isInstanceOfSatisfying(GranaryException.class,
                                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CSV))
                            .hasMessage(c[1]);
                }
            }
        }
        assertThat(rows(t)).containsExactly(List.of("1", "kept"));
        assertThat(backend.columns(t)).containsExactly("a", "b");
        assertThat(stagingTables()).isEmpty();
    }

    @Test
    void recordsEndingInAMixOfLfCrlfAndCrLoadExactly() {
        TableRef t = new TableRef("in.c-main", "mixed");
        backend.createTable(t, List.of("id", "v"));
        String mixed = "id,v\n1,lf\r\n2,\"quoted\r\ncrlf\"\n3,\"quoted\nlf\"\r\n4,cr\r5,\"a\rb\"\r\n6,last";
        List<List<String>> expected = List.of(List.of("1", "lf"), List.of("2", "quoted\r\ncrlf"),
                List.of("3", "quoted\nlf"), List.of("4", "cr"), List.of("5", "a\rb"), List.of("6", "last"));
        loadInto(t, List.of("id", "v"), mixed);
        assertThat(rows(t)).containsExactlyInAnyOrderElementsOf(expected);

        // with other files around it, gzip, and a file starting in CRLF
        String crlfFirst = "id,v\r\n7,x\n8,\"y\r\nz\"\r\n";
        List<Path> paths = List.of(file("id,v\n0,plain\n"), gzip(mixed), file(crlfFirst), file(mixed));
        backend.load(t, new LoadRequest(paths, true, CsvDialect.RFC, List.of("id", "v"), false, List.of(), t2, null),
                noProgress());
        List<List<String>> all = new ArrayList<>();
        all.add(List.of("0", "plain"));
        all.addAll(expected);
        all.add(List.of("7", "x"));
        all.add(List.of("8", "y\r\nz"));
        all.addAll(expected);
        assertThat(rows(t)).containsExactlyInAnyOrderElementsOf(all);
        assertThat(stagingTables()).isEmpty();
    }

    @Test
    void anEarlyErrorInABigFileIsReportedWithItsLine() {
        TableRef t = new TableRef("in.c-main", "early");
        backend.createTable(t, List.of("id", "v"));
        Path big = file("id,v\n1,a,b,c\n" + "2,\"some value, quoted\"\n".repeat(1_000_000));
        assertThatThrownBy(() -> backend.load(t, new LoadRequest(List.of(big), true, CsvDialect.RFC, List.of("id", "v"),
                false, List.of(), t1, null), noProgress()))
                .hasMessage("Invalid CSV file. Line 2: expected 2 fields, found 4.");
        assertThat(stagingTables()).isEmpty();
    }

    @Test
    void anInterruptedLoadChangesNothing() {
        TableRef t = new TableRef("in.c-main", "interrupted");
        backend.createTable(t, List.of("id", "v", "w"));
        loadInto(t, List.of("id", "v", "w"), "id,v,w\n1,a,b\n");
        String content = "id,v,w,extra\n" + "2,x,y,z\n".repeat(1000);
        // a plain file and a gzip one: engines that read files in groups still report progress between them
        List<Path> paths = List.of(file(content), gzip(content));
        for (boolean incremental : new boolean[] {false, true}) {
            LoadRequest request = new LoadRequest(paths, true, CsvDialect.RFC, List.of("id", "v", "w", "extra"),
                    incremental, incremental ? List.of("id") : List.of(), t2, "job-1");
            try {
                assertThatThrownBy(() -> backend.load(t, request, (bytes, rows) -> Thread.currentThread().interrupt()))
                        .isInstanceOfSatisfying(GranaryException.class,
                                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.JOB_INTERRUPTED));
            } finally {
                Thread.interrupted();
            }
            assertThat(backend.columns(t)).containsExactly("id", "v", "w");
            assertThat(rows(t)).containsExactly(List.of("1", "a", "b"));
            assertThat(stagingTables()).isEmpty();
            assertThat(recordedLoads()).isZero();
        }
    }

    @Test
    void columnNamesAreCaseInsensitive() {
        TableRef t = new TableRef("in.c-main", "cased");
        backend.createTable(t, List.of("Id", "name"));
        assertThatThrownBy(() -> backend.addColumn(t, "ID")).isInstanceOfSatisfying(GranaryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.COLUMN_ALREADY_EXISTS));
        assertThatThrownBy(() -> backend.createTable(new TableRef("in.c-main", "dup"), List.of("a", "A")))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_COLUMN_NAME));
        backend.load(t, new LoadRequest(List.of(file("ID,NAME\n1,a\n")), true, CsvDialect.RFC, List.of("ID", "NAME"),
                false, List.of("iD"), t1, null), noProgress());
        assertThat(backend.columns(t)).containsExactly("Id", "name");
        assertThat(exportJoined(t, List.of("NAME"), RowSelection.ALL, List.of("ID"))).containsExactly("a");
    }

    @Test
    void longNamesWork() {
        String bucket = "out.c-" + "b".repeat(96);
        String name = "t".repeat(96);
        String id = "i".repeat(64);
        String nearlyId = "i".repeat(63) + "j";
        String czech = "ž".repeat(64);
        TableRef t = new TableRef(bucket, name);
        backend.createTable(t, List.of(id, nearlyId, czech));
        assertThat(backend.exists(t)).isTrue();
        assertThat(backend.exists(new TableRef(bucket, "t".repeat(95)))).isFalse();
        assertThat(backend.columns(t)).containsExactly(id, nearlyId, czech);

        String header = id + "," + nearlyId + "," + czech + "\n";
        backend.load(t, new LoadRequest(List.of(file(header + "1,a,x\n2,b,y\n")), true, CsvDialect.RFC,
                List.of(id, nearlyId, czech), false, List.of(id), t1, "long-1"), noProgress());
        String added = "ñ".repeat(40);
        LoadResult r = backend.load(t, new LoadRequest(List.of(file(id + "," + added + "\n2,new\n3,more\n")), true,
                CsvDialect.RFC, List.of(id, added), true, List.of(id), t1, "long-2"), noProgress());
        assertThat(r.addedColumns()).containsExactly(added);
        assertThat(r.columns()).containsExactly(id, nearlyId, czech, added);
        assertThat(rows(t)).containsExactlyInAnyOrder(List.of("1", "a", "x", ""), List.of("2", "", "", "new"),
                List.of("3", "", "", "more"));
        assertThat(backend.preview(t, List.of(czech, added), new RowSelection(List.of(WhereFilter.of(id, "eq",
                List.of("1"))), null, null), 10)).containsExactly(List.of("x", ""));

        String extra = "e".repeat(64);
        backend.addColumn(t, extra);
        backend.dropColumn(t, czech);
        assertThat(backend.columns(t)).containsExactly(id, nearlyId, added, extra);
        Exported e = export(t, new ExportRequest(List.of(extra, id), RowSelection.ALL, List.of(id), null, false, false));
        assertThat(e.result().columns()).containsExactly(extra, id);
        assertThat(e.csvRows(false)).containsExactly(List.of("", "1"), List.of("", "2"), List.of("", "3"));
        // a full load replaces the table and keeps the long names
        backend.load(t, new LoadRequest(List.of(file(id + "," + nearlyId + "," + added + "," + extra + "\n7,a,b,c\n")),
                true, CsvDialect.RFC, List.of(id, nearlyId, added, extra), false, List.of(), t1, null), noProgress());
        assertThat(backend.columns(t)).containsExactly(id, nearlyId, added, extra);
        assertThat(rows(t)).containsExactly(List.of("7", "a", "b", "c"));

        backend.dropTable(t);
        assertThat(backend.exists(t)).isFalse();
    }

    @Test
    void tablesOfANewBucketCanBeCreatedAtTheSameTime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                TableRef t = new TableRef("in.c-fresh", "t" + i);
                done.add(pool.submit(() -> backend.createTable(t, List.of("id"))));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 8; i++) {
            assertThat(backend.exists(new TableRef("in.c-fresh", "t" + i))).isTrue();
        }
    }

    // ---- capability hooks: where engines really differ

    /** Names of staging tables left in the engine (none after any load, failed or not). */
    protected abstract List<String> stagingTables();

    /** How many load ids the engine has recorded ({@link LoadRequest#loadId()}). */
    protected abstract long recordedLoads();

    // ---- helpers

    /** Loads a file with a header into {@code t} as a full load. */
    protected void loadInto(TableRef t, List<String> columns, String content) {
        backend.load(t, new LoadRequest(List.of(file(content)), true, CsvDialect.RFC, columns, false, List.of(), t1, null),
                noProgress());
    }

    /** An export's rows, each joined by {@code |}. */
    protected List<String> exportJoined(TableRef t, List<String> columns, RowSelection selection, List<String> orderBy) {
        return export(t, new ExportRequest(columns, selection, orderBy, null, false, false)).csvRows(false).stream()
                .map(row -> String.join("|", row)).toList();
    }

    /**
     * Capability hook: the room an export goes to, with the target's key prefix and an empty scratch directory.
     * A backend whose engine writes local files needs nothing but {@link ExportRoom#local}, the default; one whose
     * engine writes into the object store itself overrides this with {@link ExportRoom#inStore} over a real store.
     */
    protected ExportRoom exportRoom(String keyPrefix, Path scratch) {
        return ExportRoom.local(dir.resolve("objects-" + fileNo++), keyPrefix, scratch);
    }

    /** One export into a fresh room. */
    protected Exported export(TableRef t, ExportRequest request) {
        ExportRoom room = newRoom(t);
        return new Exported(backend.export(t, request, room.target()), room);
    }

    /** A fresh room, its key prefix shaped like a File Storage key, its scratch directory empty. */
    protected ExportRoom newRoom(TableRef t) {
        int n = fileNo++;
        Path scratch = dir.resolve("scratch-" + n);
        try {
            Files.createDirectories(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return exportRoom("contract/" + runId + "/" + n + "/" + n + "." + t.name() + ".csv", scratch);
    }

    /** What an export returned, and the room holding what it stored. */
    protected record Exported(ExportResult result, ExportRoom room) {

        /** Slice {@code i}'s bytes; a gzip slice must be one complete gzip stream. */
        public byte[] bytes(int i, boolean gzip) {
            return gunzip(room.read(result.slices().get(i)), gzip);
        }

        /** The rows of every Parquet slice, in slice order. */
        public List<List<String>> parquetRows() {
            List<List<String>> rows = new ArrayList<>();
            for (String slice : result.slices()) {
                rows.addAll(ParquetSlices.rows(room.read(slice)));
            }
            return rows;
        }

        /** The rows of every CSV slice, in slice order. */
        public List<List<String>> csvRows(boolean gzip) {
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < result.slices().size(); i++) {
                rows.addAll(parse(bytes(i, gzip), result.slices().get(i)));
            }
            return rows;
        }
    }

    protected static ProgressRecorder noProgress() {
        return new ProgressRecorder();
    }

    /** Records nothing; a named type so subclasses can extend the contract. */
    protected static final class ProgressRecorder implements io.granary.core.job.JobProgress {
        @Override
        public void report(long bytes, long rows) {
        }
    }

    private LoadResult load(boolean incremental, List<String> pk, Instant at, boolean header, String content) {
        String firstLine = content.replace("\uFEFF", "").split("\r?\n", 2)[0];
        return backend.load(orders, request(List.of(file(content)), header, Arrays.asList(firstLine.split(",")),
                incremental, pk, at), noProgress());
    }

    private static LoadRequest request(List<Path> files, boolean header, List<String> columns, boolean incremental,
            List<String> pk, Instant at) {
        return request(files, header, columns, incremental, pk, at, CsvDialect.RFC);
    }

    private static LoadRequest request(List<Path> files, boolean header, List<String> columns, boolean incremental,
            List<String> pk, Instant at, CsvDialect dialect) {
        return new LoadRequest(files, header, dialect, columns, incremental, pk, at, null);
    }

    private static RowSelection sel(WhereFilter... filters) {
        return new RowSelection(List.of(filters), null, null);
    }

    private List<List<String>> export(List<String> columns, RowSelection selection, List<String> orderBy, Long limit) {
        return export(orders, new ExportRequest(columns, selection, orderBy, limit, false, false)).csvRows(false);
    }

    /** All rows of a table, via an unordered export. */
    protected List<List<String>> rows(TableRef table) {
        Exported r = export(table, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, false, false));
        List<List<String>> rows = r.csvRows(false);
        assertThat(rows).hasSize((int) r.result().rows());
        return rows;
    }

    protected Path file(String content) {
        Path f = dir.resolve("in-" + fileNo++ + ".csv");
        write(f, bytes(content));
        return f;
    }

    protected Path gzip(String content) {
        Path f = dir.resolve("in-" + fileNo++ + ".csv.gz");
        write(f, gzipBytes(content));
        return f;
    }

    /** {@code id,v,w} header and rows {@code i,"value i, quoted",""}; ids unique. */
    protected Path bigFile(String name, int rows) {
        Path f = dir.resolve(name + "-" + fileNo++ + ".csv");
        try (Writer w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            w.write("id,v,w\n");
            for (int i = 0; i < rows; i++) {
                w.write(i + ",\"value " + i + ", quoted\",\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzipBytes(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void write(Path f, byte[] content) {
        try {
            Files.write(f, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> filesIn(Path directory) {
        try (var files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gunzip(byte[] slice, boolean gzip) {
        if (!gzip) {
            return slice;
        }
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(slice))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("not one complete gzip stream: " + e.getMessage(), e);
        }
    }

    /** Parses an export slice: every value enclosed in {@code "}, {@code ""} for a quote, LF line ends. */
    protected static List<List<String>> parse(byte[] slice, String name) {
        List<List<String>> rows = new ArrayList<>();
        String s = new String(slice, StandardCharsets.UTF_8);
        int i = 0;
        List<String> row = new ArrayList<>();
        while (i < s.length()) {
            assertThat(s.charAt(i)).as("value starts with a quote at %d in %s", i, name).isEqualTo('"');
            StringBuilder v = new StringBuilder();
            i++;
            while (true) {
                char ch = s.charAt(i);
                if (ch == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        v.append('"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                v.append(ch);
                i++;
            }
            row.add(v.toString());
            char sep = s.charAt(i++);
            if (sep == '\n') {
                rows.add(row);
                row = new ArrayList<>();
            } else {
                assertThat(sep).isEqualTo(',');
            }
        }
        assertThat(row).isEmpty();
        return rows;
    }

    private static void assertCode(Runnable call, ErrorCode code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(GranaryException.class,
                e -> assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(code));
    }

    /** A complete gzip stream whose trailer's CRC32 does not match its data (inflates fine, fails only the check). */
    private static byte[] wrongCrc(byte[] gzip) {
        byte[] copy = gzip.clone();
        copy[copy.length - 8] ^= 0x01;
        return copy;
    }

}
