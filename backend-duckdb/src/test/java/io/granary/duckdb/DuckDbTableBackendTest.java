package io.granary.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.TableBackend.ExportRequest;
import io.granary.core.port.TableBackend.LoadRequest;
import io.granary.core.port.TableBackend.RowSelection;
import io.granary.core.port.TableBackendContract;
import io.granary.core.csv.CsvDialect;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DuckDbTableBackendTest extends TableBackendContract {

    // DuckDB's size is the values' bytes, so a load's totals match a scan exactly, added up or not
    @Override
    protected void assertTotals(TableBackend.LoadResult result) {
        assertThat(new TableBackend.TableStats(result.totalRows(), result.totalBytes())).isEqualTo(backend.stats(orders));
    }

    private DuckDbDatabase database;

    @Override
    protected TableBackend openBackend(Path dir) {
        database = new DuckDbDatabase(dir.resolve("tables.duckdb"));
        // small slices: DuckDB rotates files per row group (~122,880 rows), so a few MB give several slices
        return new DuckDbTableBackend(database, dir.resolve("tmp"), 1L << 30, 256 * 1024);
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    @Test
    void largeUnorderedExportsComeInSeveralCompleteSlices() {
        TableRef t = new TableRef("in.c-main", "sliced");
        backend.createTable(t, List.of("id", "v", "w"));
        backend.load(t, new LoadRequest(List.of(bigFile("sliced", 300_000)), true, CsvDialect.RFC,
                List.of("id", "v", "w"), false, List.of(), Instant.now(), null), noProgress());
        for (boolean gzip : new boolean[] {false, true}) {
            Exported r = export(t, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, gzip, false));
            assertThat(r.result().slices()).hasSizeGreaterThan(1);
            assertThat(r.csvRows(gzip)).hasSize(300_000).doesNotHaveDuplicates();
        }
        Exported parquet = export(t, new ExportRequest(List.of(), RowSelection.ALL, List.of(), null, FileType.PARQUET, true,
                false));
        assertThat(parquet.result().slices()).hasSizeGreaterThan(1);
        assertThat(parquet.result().rows()).isEqualTo(300_000);
        assertThat(parquet.parquetRows()).hasSize(300_000).doesNotHaveDuplicates();
    }

    @Test
    void memoryReportsTheLimitAndTheBufferManagerByTag() {
        TableRef t = new TableRef("in.c-main", "memory");
        backend.createTable(t, List.of("id", "v", "w"));
        backend.load(t, new LoadRequest(List.of(bigFile("memory", 50_000)), true, CsvDialect.RFC,
                List.of("id", "v", "w"), false, List.of(), Instant.now(), null), noProgress());
        TableBackend.EngineMemory memory = backend.memory().orElseThrow();
        assertThat(memory.limitBytes()).isEqualTo(1L << 30);
        assertThat(memory.usedBytes()).containsKey("BASE_TABLE").allSatisfy((tag, bytes) -> assertThat(bytes).isNotNegative());
        assertThat(memory.usedBytes().values().stream().mapToLong(Long::longValue).sum()).isPositive();
        assertThat(memory.temporaryBytes().keySet()).isEqualTo(memory.usedBytes().keySet());
    }

    @Test
    void stagingLeftByAKilledLoadIsDroppedOnOpen() throws Exception {
        TableRef t = new TableRef("in.c-main", "kept");
        backend.createTable(t, List.of("id"));
        try (var c = database.connect(); var s = c.createStatement()) {
            s.execute("CREATE TABLE \"in.c-main\".\"__staging_dead\" (id VARCHAR)");
        }
        new DuckDbTableBackend(database, dir.resolve("tmp"), 1L << 30, 256 * 1024).close();
        try (var c = database.connect(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT table_name FROM duckdb_tables() WHERE schema_name <> 'main' ORDER BY 1")) {
            List<String> names = new java.util.ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            assertThat(names).containsExactly("kept");
        }
    }

    @Override
    protected List<String> stagingTables() {
        List<String> names = new java.util.ArrayList<>();
        try (var c = database.connect(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_\\_staging\\_%' ESCAPE '\\'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        return names;
    }

    @Override
    protected long recordedLoads() {
        try (var c = database.connect(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM " + DuckDbTables.LOADS)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void leavesNoStagingTablesBehind() {
        TableRef t = new TableRef("in.c-main", "clean");
        backend.createTable(t, List.of("id"));
        Path bad = dir.resolve("bad.csv");
        try {
            java.nio.file.Files.writeString(bad, "id\n\"x\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            backend.load(t, new LoadRequest(List.of(bad), true, CsvDialect.RFC, List.of("id"), false, List.of(), Instant.now(), null),
                    noProgress());
        } catch (RuntimeException expected) {
            // malformed
        }
        try (var c = database.connect(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__staging%'")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
