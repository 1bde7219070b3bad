package io.granary.core.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend.ExportRequest;
import io.granary.core.port.TableBackend.ExportResult;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.TableBackend.LoadResult;
import io.granary.core.port.TableBackend.RowSelection;
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

    private final TableRef orders = new TableRef("in.c-main", "orders");
    private final Instant t1 = Instant.parse("2024-01-01T10:00:00Z");
    private final Instant t2 = Instant.parse("2024-01-02T10:00:00Z");
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
            ExportResult r = backend.export(orders, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, gzip,
                    false), dir.resolve("export-" + gzip));
            assertThat(r.rows()).isEqualTo(6);
            assertThat(r.columns()).containsExactly("id", "name");
            assertThat(parse(r.slices(), gzip)).containsExactlyInAnyOrderElementsOf(expected);
            String raw = new String(read(r.slices().get(0), gzip), StandardCharsets.UTF_8);
            assertThat(raw).doesNotContain("\r\n\"").endsWith("\"\n").startsWith("\"");
        }
        ExportResult ordered = backend.export(orders, new ExportRequest(List.of("name", "id"), RowSelection.ALL,
                List.of("id"), null, false, false), dir.resolve("ordered"));
        assertThat(parse(ordered.slices(), false)).containsExactly(List.of("", "1"), List.of("a,b", "2"),
                List.of("say \"hi\"", "3"), List.of("two\nlines", "4"), List.of("cr\r\nlf", "5"), List.of("日本語", "6"));
    }

    @Test
    void emptyExportWritesOneEmptySlice() {
        backend.createTable(orders, List.of("id", "name"));
        for (boolean gzip : new boolean[] {false, true}) {
            ExportResult r = backend.export(orders, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, gzip,
                    true), dir.resolve("empty-" + gzip));
            assertThat(r.rows()).isZero();
            assertThat(r.slices()).hasSize(1);
            assertThat(r.slices().get(0)).exists();
            assertThat(read(r.slices().get(0), gzip)).isEmpty();
            assertThat(r.columns()).containsExactly("id", "name", TableBackend.TIMESTAMP_COLUMN);
        }
    }

    @Test
    void exportSelectsColumnsRowsAndTimes() {
        backend.createTable(orders, List.of("id", "status", "amount"));
        load(false, List.of(), t1, true, "id,status,amount\n1,new,10\n2,paid,20\n3,new,30\n");
        load(true, List.of("id"), t2, true, "id,status,amount\n4,sent,40\n3,paid,35\n");

        assertThat(export(List.of("id"), sel(new WhereFilter("status", "eq", List.of("paid", "sent"))), List.of("id"), null))
                .containsExactly(List.of("2"), List.of("3"), List.of("4"));
        assertThat(export(List.of("id"), sel(new WhereFilter("status", "ne", List.of("paid"))), List.of("id"), null))
                .containsExactly(List.of("1"), List.of("4"));
        assertThat(export(List.of("id"), sel(new WhereFilter("amount", "ge", List.of("30"))), List.of("id"), null))
                .containsExactly(List.of("3"), List.of("4"));
        assertThat(export(List.of("id"), sel(new WhereFilter("amount", "lt", List.of("20")),
                new WhereFilter("status", "eq", List.of("new"))), List.of("id"), null))
                .containsExactly(List.of("1"));
        assertThat(export(List.of("amount", "id"), RowSelection.ALL, List.of("amount"), 2L))
                .containsExactly(List.of("10", "1"), List.of("20", "2"));
        RowSelection since = new RowSelection(List.of(), t2, null);
        assertThat(export(List.of("id"), since, List.of("id"), null)).containsExactly(List.of("3"), List.of("4"));
        RowSelection until = new RowSelection(List.of(), null, t2);
        assertThat(export(List.of("id"), until, List.of("id"), null)).containsExactly(List.of("1"), List.of("2"));

        ExportResult withTime = backend.export(orders, new ExportRequest(List.of("id"), RowSelection.ALL, List.of("id"),
                1L, false, true), dir.resolve("time"));
        assertThat(withTime.columns()).containsExactly("id", TableBackend.TIMESTAMP_COLUMN);
        assertThat(parse(withTime.slices(), false)).containsExactly(List.of("1", "2024-01-01 10:00:00"));

        assertCode(() -> export(List.of("nope"), RowSelection.ALL, List.of(), null), ErrorCode.TABLES_VALIDATION);
        assertCode(() -> export(List.of(), sel(new WhereFilter("nope", "eq", List.of("x"))), List.of(), null),
                ErrorCode.TABLES_VALIDATION);
        assertCode(() -> export(List.of(), sel(new WhereFilter("id", "like", List.of("x"))), List.of(), null),
                ErrorCode.TABLES_VALIDATION);
    }

    @Test
    void previewAndDeleteRows() {
        backend.createTable(orders, List.of("id", "status"));
        load(false, List.of(), t1, true, "id,status\n1,new\n2,paid\n3,new\n4,\n");
        assertThat(backend.preview(orders, List.of(), RowSelection.ALL, 1000)).hasSize(4)
                .contains(List.of("4", ""), List.of("1", "new"));
        assertThat(backend.preview(orders, List.of("status"), sel(new WhereFilter("id", "eq", List.of("2"))), 10))
                .containsExactly(List.of("paid"));
        assertThat(backend.preview(orders, List.of(), RowSelection.ALL, 2)).hasSize(2);

        assertThat(backend.deleteRows(orders, sel(new WhereFilter("status", "eq", List.of("new"))))).isEqualTo(2);
        assertThat(backend.deleteRows(orders, sel(new WhereFilter("status", "eq", List.of("new"))))).isZero();
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("2", "paid"), List.of("4", ""));
        assertCode(() -> backend.deleteRows(orders, sel(new WhereFilter("nope", "eq", List.of("x")))),
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
        ExportResult e = backend.export(orders, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, true, false),
                dir.resolve("big-export"));
        assertThat(e.rows()).isEqualTo(200_000);
        assertThat(parse(e.slices(), true)).hasSize(200_000);
        assertThat(backend.stats(orders).bytes()).isGreaterThan(200_000L * 10);
    }

    // ---- idempotent retries

    @Test
    void aLoadRetriedWithTheSameIdIsAppliedOnce() {
        backend.createTable(orders, List.of("id", "name"));
        Path data = file("id,name\n1,a\n2,b\n");
        LoadRequest append = new LoadRequest(List.of(data), true, CsvDialect.RFC, List.of("id", "name"), true, List.of(),
                t1, "job-41");
        LoadResult first = backend.load(orders, append, noProgress());
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

    // ---- helpers

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
        ExportResult r = backend.export(orders, new ExportRequest(columns, selection, orderBy, limit, false, false),
                dir.resolve("export-" + fileNo++));
        return parse(r.slices(), false);
    }

    /** All rows of a table, via an unordered export. */
    protected List<List<String>> rows(TableRef table) {
        ExportResult r = backend.export(table, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, false,
                false), dir.resolve("rows-" + fileNo++));
        List<List<String>> rows = parse(r.slices(), false);
        assertThat(rows).hasSize((int) r.rows());
        return rows;
    }

    private Path file(String content) {
        Path f = dir.resolve("in-" + fileNo++ + ".csv");
        write(f, bytes(content));
        return f;
    }

    private Path gzip(String content) {
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

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A slice's bytes; a gzip slice must be one complete gzip stream. */
    private static byte[] read(Path slice, boolean gzip) {
        try (InputStream in = gzip ? new GZIPInputStream(Files.newInputStream(slice)) : Files.newInputStream(slice)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(slice + ": " + e.getMessage(), e);
        }
    }

    /** Parses export slices: every value enclosed in {@code "}, {@code ""} for a quote, LF line ends. */
    protected static List<List<String>> parse(List<Path> slices, boolean gzip) {
        List<List<String>> rows = new ArrayList<>();
        for (Path slice : slices) {
            String s = new String(read(slice, gzip), StandardCharsets.UTF_8);
            int i = 0;
            List<String> row = new ArrayList<>();
            while (i < s.length()) {
                assertThat(s.charAt(i)).as("value starts with a quote at %d in %s", i, slice).isEqualTo('"');
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
        }
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
