package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.ExportRequest;
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
            Exported r = export(t, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, gzip, false));
            assertThat(r.result().slices()).hasSizeGreaterThan(1);
            assertThat(r.result().rows()).isEqualTo(300_000);
            assertThat(r.csvRows(gzip)).hasSize(300_000).doesNotHaveDuplicates();
        }
        // slices are written one after another, so an ordered export stays ordered across them
        Exported ordered = export(t, new ExportRequest(List.of("id"), RowSelection.ALL, List.of("id"), null, true, false));
        assertThat(ordered.result().slices()).hasSizeGreaterThan(1);
        List<String> ids = ordered.csvRows(true).stream().map(row -> row.get(0)).toList();
        assertThat(ids).hasSize(300_000).isSortedAccordingTo(Comparator.naturalOrder());
        // Parquet slices are converted from those CSV slices one by one, in order
        Exported parquet = export(t, new ExportRequest(List.of("id", "v"), RowSelection.ALL, List.of("id"), null,
                FileType.PARQUET, true, false));
        assertThat(parquet.result().slices()).hasSizeGreaterThan(1);
        List<List<String>> rows = parquet.parquetRows();
        assertThat(rows.stream().map(row -> row.get(0)).toList()).hasSize(300_000)
                .isSortedAccordingTo(Comparator.naturalOrder());
        assertThat(rows.get(7)).containsExactly(rows.get(7).get(0), "value " + rows.get(7).get(0) + ", quoted");
    }

    // ---- primary keys

    @Test
    void aKeySpelledInOtherWaysIsStillOneKey() {
        // the load skips its de-duplication query only when the bytes it sent had no key twice: no spelling may
        // fool that, so each load below repeats one key in one other spelling only
        backend.createTable(orders, List.of("id", "name"));
        CsvDialect backslash = new CsvDialect(';', '"', '\\');
        List<String[]> cases = List.of(
                new String[] {"id,name\n1,a\n\"1\",b\n", "1", "b"},
                new String[] {"id,name\n\"x,y\",a\n \"x,y\"  ,b", "x,y", "b"},
                new String[] {"id,name\n\"q\"\"t\",a\r\n\"q\"\"\"\"t\",z\r\n \"q\"\"t\",b\r\n", "q\"t", "b"},
                new String[] {"id,name\n,a\n\"\",b\n", "", "b"},
                new String[] {"id;name\n\"q\\\"t\";a\n\"q\\\"t\" ;b\n", "q\"t", "b"},
                new String[] {"id;name\n\"c\\\\d\";a\nc\\d;b\n", "c\\d", "b"});
        for (String[] c : cases) {
            CsvDialect dialect = c[0].startsWith("id;") ? backslash : CsvDialect.RFC;
            backend.load(orders, new LoadRequest(List.of(file(c[0])), true, dialect, List.of("id", "name"), false,
                    List.of("id"), now, null), noProgress());
            List<List<String>> expected = new ArrayList<>(List.of(List.of(c[1], c[2])));
            if (c[0].contains("z")) {
                expected.add(List.of("q\"\"t", "z"));
            }
            assertThat(rows(orders)).as(c[0]).containsExactlyInAnyOrderElementsOf(expected);
        }

        // across the files of an incremental load
        backend.load(orders, new LoadRequest(List.of(file("\"k\",a\n"), gzip("k,b")), false, CsvDialect.RFC,
                List.of("id", "name"), true, List.of("id"), now, null), noProgress());
        assertThat(rows(orders)).containsExactlyInAnyOrder(List.of("c\\d", "b"), List.of("k", "b"));
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

    // ---- hooks

    @Override
    protected List<String> stagingTables() {
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

    @Override
    protected long recordedLoads() {
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
