package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.ExportRequest;
import io.granary.core.port.TableBackend.ExportResult;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackend.WhereFilter;
import io.granary.core.port.TableBackendContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PostgresTableBackendTest extends TableBackendContract {

    private final Instant now = Instant.parse("2024-03-01T12:00:00Z");
    private PostgresConfig config;
    private PostgresDatabase database;
    private int files;

    @Override
    protected TableBackend openBackend(Path dir) {
        config = TestPostgres.newDatabase();
        database = new PostgresDatabase(config);
        // small slices, so exports of a few MB come in several
        return new PostgresTableBackend(database, 256 * 1024);
    }

    @AfterEach
    void closeDatabase() {
        backend.close();
        database.close();
    }

    // ---- exports

    @Test
    void largeExportsComeInSeveralCompleteSlicesAndKeepTheirOrder() {
        TableRef t = new TableRef("in.c-main", "sliced");
        backend.createTable(t, List.of("id", "v", "w"));
        backend.load(t, new LoadRequest(List.of(bigFile("sliced", 300_000)), true, CsvDialect.RFC,
                List.of("id", "v", "w"), false, List.of(), now, null), noProgress());
        for (boolean gzip : new boolean[] {false, true}) {
            ExportResult r = backend.export(t, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, gzip, false),
                    dir.resolve("sliced-" + gzip));
            assertThat(r.slices()).hasSizeGreaterThan(1);
            assertThat(r.rows()).isEqualTo(300_000);
            assertThat(parse(r.slices(), gzip)).hasSize(300_000).doesNotHaveDuplicates();
        }
        // slices are written one after another, so an ordered export stays ordered across them
        ExportResult ordered = backend.export(t, new ExportRequest(List.of("id"), RowSelection.ALL, List.of("id"), null,
                true, false), dir.resolve("ordered"));
        assertThat(ordered.slices()).hasSizeGreaterThan(1);
        List<String> ids = parse(ordered.slices(), true).stream().map(row -> row.get(0)).toList();
        assertThat(ids).hasSize(300_000).isSortedAccordingTo(Comparator.naturalOrder());
    }

    @Test
    void stringsCompareAndSortByteByByteAsInDuckDb() {
        TableRef t = new TableRef("in.c-main", "sorted");
        backend.createTable(t, List.of("v"));
        load(t, List.of("v"), "v\na\nB\né\nz\n10\n9\n");
        assertThat(export(t, List.of("v"), RowSelection.ALL, List.of("v")))
                .containsExactly("10", "9", "B", "a", "z", "é");
        assertThat(export(t, List.of("v"), new RowSelection(List.of(WhereFilter.of("v", "gt", List.of("Z"))), null, null),
                List.of("v"))).containsExactly("a", "z", "é");
    }

    // ---- loads PostgreSQL's COPY would read differently from DuckDB

    @Test
    void aLoneEndOfDataMarkerIsAValueNotTheEndOfTheFile() {
        TableRef single = new TableRef("in.c-main", "single");
        backend.createTable(single, List.of("v"));
        load(single, List.of("v"), "v\n1\n\\.\n2\n");
        assertThat(export(single, List.of("v"), RowSelection.ALL, List.of("v"))).containsExactly("1", "2", "\\.");

        TableRef pair = new TableRef("in.c-main", "pair");
        backend.createTable(pair, List.of("a", "b"));
        assertThatThrownBy(() -> load(pair, List.of("a", "b"), "a,b\n1,x\n\\.\n2,y\n"))
                .hasMessage("Invalid CSV file. Line 3: expected 2 fields, found 1.");
    }

    @Test
    void blankLinesAndTrailingEmptyFieldsAreIgnoredAsInDuckDb() {
        TableRef t = new TableRef("in.c-main", "blank");
        backend.createTable(t, List.of("a", "b"));
        load(t, List.of("a", "b"), "a,b\n\n1,x,\n\r\n2,,,\"\"\n\n3,\"\"\n");
        assertThat(rows(t)).containsExactlyInAnyOrder(List.of("1", "x"), List.of("2", ""), List.of("3", ""));

        TableRef one = new TableRef("in.c-main", "one");
        backend.createTable(one, List.of("v"));
        load(one, List.of("v"), "v\n1\n\n2,\n");
        assertThat(rows(one)).containsExactlyInAnyOrder(List.of("1"), List.of(""), List.of("2"));
    }

    @Test
    void quotesInsideUnquotedValuesAndSpacesAroundQuotedOnesReadAsInDuckDb() {
        TableRef t = new TableRef("in.c-main", "quotes");
        backend.createTable(t, List.of("a", "b"));
        load(t, List.of("a", "b"), "a,b\n1,12\" pizza\n2,a\"b\"c\n3, \"x\" \n4,\"y\"\"z\"\n");
        assertThat(rows(t)).containsExactlyInAnyOrder(List.of("1", "12\" pizza"), List.of("2", "a\"b\"c"),
                List.of("3", "x"), List.of("4", "y\"z"));
        assertThatThrownBy(() -> load(t, List.of("a", "b"), "a,b\n1,\"x\"y\n"))
                .hasMessage("Invalid CSV file. Line 2: a quoted value is followed by other characters before the"
                        + " delimiter (stray enclosure character).");
        assertThat(rows(t)).hasSize(4);
    }

    @Test
    void errorsNameTheFileAndThePhysicalLineOfTheRecord() {
        TableRef t = new TableRef("in.c-main", "errors");
        backend.createTable(t, List.of("a", "b"));
        load(t, List.of("a", "b"), "a,b\n1,kept\n");
        Object[][] cases = {
            {"a,b\n1,\"two\nlines\"\n2,b,c\n", "Invalid CSV file (file 2 of 2). Line 4: expected 2 fields, found 3."},
            {"a,b\n1,x\r\n", "Invalid CSV file (file 2 of 2). Line 2: a line end differs from the first line's"
                    + " (mixed CRLF/LF line ends)."},
            {"a,b\n1,x\u0000y\n", "Invalid CSV file (file 2 of 2). Line 2: a NUL character (byte 0x00),"
                    + " which PostgreSQL cannot store."},
            {"a,b\n1,\"open\n2,x\n", "Invalid CSV file (file 2 of 2). Line 2: a quoted value is not closed"
                    + " (unterminated quote)."},
        };
        for (Object[] c : cases) {
            List<Path> paths = List.of(file("a,b\n9,fine\n"), file((String) c[0]));
            assertThatThrownBy(() -> backend.load(t, new LoadRequest(paths, true, CsvDialect.RFC, List.of("a", "b"), false,
                    List.of(), now, null), noProgress()))
                    .isInstanceOfSatisfying(GranaryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CSV))
                    .hasMessage((String) c[1]);
        }
        assertThatThrownBy(() -> backend.load(t, new LoadRequest(List.of(file("1§x\n")), false, new CsvDialect('§', '"', null),
                List.of("a", "b"), false, List.of(), now, null), noProgress()))
                .hasMessageContaining("single ASCII characters");
        assertThat(rows(t)).containsExactly(List.of("1", "kept"));
        assertThat(stagingTables()).isEmpty();
    }

    @Test
    void anEarlyErrorInABigFileIsReportedWithItsLine() {
        TableRef t = new TableRef("in.c-main", "early");
        backend.createTable(t, List.of("id", "v"));
        Path big = file("id,v\n1,a,b,c\n" + "2,\"some value, quoted\"\n".repeat(1_000_000));
        assertThatThrownBy(() -> load(t, List.of("id", "v"), big))
                .hasMessage("Invalid CSV file. Line 2: expected 2 fields, found 4.");
        assertThat(stagingTables()).isEmpty();
    }

    // ---- failures leave nothing behind

    @Test
    void stagingLeftByAKilledProcessIsDroppedOnOpen() throws Exception {
        TableRef t = new TableRef("in.c-main", "kept");
        backend.createTable(t, List.of("id"));
        sql("CREATE TABLE \"in.c-main\".\"__staging_dead\" (id TEXT)");
        assertThat(stagingTables()).hasSize(1);
        new PostgresTableBackend(database).close();
        assertThat(stagingTables()).isEmpty();
        assertThat(backend.exists(t)).isTrue();
    }

    @Test
    void anInterruptedLoadChangesNothing() {
        TableRef t = new TableRef("in.c-main", "interrupted");
        backend.createTable(t, List.of("id", "v", "w"));
        load(t, List.of("id", "v", "w"), "id,v,w\n1,a,b\n");
        String content = "id,v,w,extra\n" + "2,x,y,z\n".repeat(1000);
        List<Path> paths = List.of(file(content), file(content));
        LoadRequest request = new LoadRequest(paths, true, CsvDialect.RFC, List.of("id", "v", "w", "extra"), false,
                List.of(), now, "job-1");
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

    @Test
    void aLoadWhoseConnectionDiesLeavesNoStagingTable() {
        TableRef t = new TableRef("in.c-main", "killed");
        backend.createTable(t, List.of("id", "v", "w"));
        List<Path> paths = List.of(bigFile("first", 1000), bigFile("second", 1000));
        LoadRequest request = new LoadRequest(paths, true, CsvDialect.RFC, List.of("id", "v", "w"), false, List.of(), now,
                "job-2");
        // between the two files the loading session is idle in its transaction: end it as a crash would
        assertThatThrownBy(() -> backend.load(t, request, (bytes, rows) -> sql("SELECT pg_terminate_backend(pid)"
                + " FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'")))
                .isInstanceOf(GranaryException.class);
        assertThat(backend.stats(t).rows()).isZero();
        assertThat(stagingTables()).isEmpty();
        assertThat(recordedLoads()).isZero();
    }

    // ---- names

    @Test
    void namesLongerThanPostgresAllowsWork() {
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
                List.of(id, nearlyId, czech), false, List.of(id), now, "long-1"), noProgress());
        String added = "ñ".repeat(40);
        var r = backend.load(t, new LoadRequest(List.of(file(id + "," + added + "\n2,new\n3,more\n")), true, CsvDialect.RFC,
                List.of(id, added), true, List.of(id), now, "long-2"), noProgress());
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
        ExportResult e = backend.export(t, new ExportRequest(List.of(extra, id), RowSelection.ALL, List.of(id), null, false,
                false), dir.resolve("long-export"));
        assertThat(e.columns()).containsExactly(extra, id);
        assertThat(parse(e.slices(), false)).containsExactly(List.of("", "1"), List.of("", "2"), List.of("", "3"));
        // a full load replaces the table and keeps the long names
        backend.load(t, new LoadRequest(List.of(file(id + "," + nearlyId + "," + added + "," + extra + "\n7,a,b,c\n")),
                true, CsvDialect.RFC, List.of(id, nearlyId, added, extra), false, List.of(), now, null), noProgress());
        assertThat(backend.columns(t)).containsExactly(id, nearlyId, added, extra);
        assertThat(rows(t)).containsExactly(List.of("7", "a", "b", "c"));

        backend.dropTable(t);
        assertThat(backend.exists(t)).isFalse();
    }

    @Test
    void columnNamesAreCaseInsensitiveAsInDuckDb() {
        TableRef t = new TableRef("in.c-main", "cased");
        backend.createTable(t, List.of("Id", "name"));
        assertThatThrownBy(() -> backend.addColumn(t, "ID")).isInstanceOfSatisfying(GranaryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.COLUMN_ALREADY_EXISTS));
        assertThatThrownBy(() -> backend.createTable(new TableRef("in.c-main", "dup"), List.of("a", "A")))
                .isInstanceOfSatisfying(GranaryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_COLUMN_NAME));
        backend.load(t, new LoadRequest(List.of(file("ID,NAME\n1,a\n")), true, CsvDialect.RFC, List.of("ID", "NAME"), false,
                List.of("iD"), now, null), noProgress());
        assertThat(backend.columns(t)).containsExactly("Id", "name");
        assertThat(export(t, List.of("NAME"), RowSelection.ALL, List.of("ID"))).containsExactly("a");
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

    @Test
    void aDatabaseThatIsNotUtf8IsRefused() throws Exception {
        String name = "granary_ascii_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
        sql("CREATE DATABASE " + name + " ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'");
        PostgresConfig ascii = new PostgresConfig(config.url().substring(0, config.url().lastIndexOf('/') + 1) + name,
                config.user(), config.password(), 2);
        try (PostgresDatabase db = new PostgresDatabase(ascii)) {
            assertThatThrownBy(() -> new PostgresTableBackend(db))
                    .hasMessageContaining("must use the UTF8 encoding (it uses SQL_ASCII)");
        }
    }

    // ---- helpers

    private void load(TableRef t, List<String> columns, String content) {
        load(t, columns, file(content));
    }

    private void load(TableRef t, List<String> columns, Path file) {
        backend.load(t, new LoadRequest(List.of(file), true, CsvDialect.RFC, columns, false, List.of(), now, null),
                noProgress());
    }

    private List<String> export(TableRef t, List<String> columns, RowSelection selection, List<String> orderBy) {
        ExportResult r = backend.export(t, new ExportRequest(columns, selection, orderBy, null, false, false),
                dir.resolve("pg-export-" + files++));
        return parse(r.slices(), false).stream().map(row -> String.join("|", row)).toList();
    }

    private Path file(String content) {
        Path f = dir.resolve("pg-in-" + files++ + ".csv");
        try {
            Files.write(f, content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    private List<String> stagingTables() {
        List<String> names = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT relname FROM pg_class WHERE relname LIKE '\\_\\_staging\\_%'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return names;
    }

    private long recordedLoads() {
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM table_loads")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private void sql(String statement) {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
