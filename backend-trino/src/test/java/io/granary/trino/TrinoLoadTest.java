package io.granary.trino;

import static io.granary.trino.TrinoCatalogSetupTest.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.csv.CsvDialect;
import io.granary.core.error.GranaryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load building blocks against the shared Trino, an Iceberg catalog on PostgreSQL and Granary's store. */
class TrinoLoadTest {

    static final String ICE = TrinoTestLake.ICEBERG;
    static final String BUCKET = "in.c-Load";
    static final String STAGING = TrinoSql.id(TrinoTestLake.HIVE) + "." + TrinoSql.id("granary_staging");
    static Connection trino;
    static TrinoTestLake lake;
    private static int jobs;

    @TempDir
    Path dir;

    private final Instant t1 = Instant.parse("2024-01-01T10:00:00Z");
    private final Instant t2 = Instant.parse("2024-01-02T10:00:00Z");

    @BeforeAll
    static void connect() throws SQLException {
        lake = TrinoTestLake.shared();
        trino = TestTrino.connect();
        try (Statement s = trino.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + TrinoSql.id(ICE) + "." + TrinoSql.id(TrinoNames.physical(BUCKET)));
            s.execute("CREATE SCHEMA IF NOT EXISTS " + STAGING + " WITH (location = 's3://granary/trino/staging/')");
        }
    }

    @AfterAll
    static void close() throws SQLException {
        trino.close();
    }

    @Test
    void aFullLoadKeepsValuesIntactAndTheLastOccurrenceOfEachKey() throws Exception {
        String table = table("Orders");
        List<String> columns = List.of("Id", "note");
        Staged staged = stage(columns, "Id,note\n1,first\n2,\"multi\nline, \"\"quoted\"\"\"\n1,\"last, wins\"\n3,\n4,žluťoučký\n");
        exec(TrinoSql.fullLoad(table, columns, columns, List.of("Id"), staged.table, t1));
        assertThat(read(table, columns)).containsExactly(List.of("1", "last, wins"), List.of("2", "multi\nline, \"quoted\""),
                List.of("3", ""), List.of("4", "žluťoučký"));
        assertThat(columnsOf("Orders")).containsExactly("Id", "note", "_timestamp");
        staged.cleanup();
        assertThat(lake.store.list(staged.prefix)).isEmpty();
        assertThatThrownBy(() -> exec("SELECT * FROM " + staged.table)).isInstanceOf(SQLException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void anIncrementalLoadInsertsAndAKeyedOneMerges() throws Exception {
        String table = table("events");
        List<String> columns = List.of("id", "v");
        exec(TrinoSql.createTable(table, columns));
        Staged first = stage(columns, "id,v\n1,a\n2,b\n");
        exec(TrinoSql.insert(table, columns, first.table, t1));
        Staged second = stage(columns, "id,v\n2,B\n3,c\n2,BB\n");
        exec(TrinoSql.merge(table, columns, List.of("id"), second.table, t2));
        assertThat(read(table, columns)).containsExactly(List.of("1", "a"), List.of("2", "BB"), List.of("3", "c"));
        assertThat(rows(trino.createStatement(), "SELECT id, CAST(_timestamp AS varchar) FROM " + table + " ORDER BY id"))
                .containsExactly(List.of("1", "2024-01-01 10:00:00.000000 UTC"), List.of("2", "2024-01-02 10:00:00.000000 UTC"),
                        List.of("3", "2024-01-02 10:00:00.000000 UTC"));
        first.cleanup();
        second.cleanup();
    }

    @Test
    void columnsAddedForAMergeReadEmptyInOldRowsAndAreUndoneWhenTheMergeFails() throws Exception {
        String table = table("customers");
        exec(TrinoSql.createTable(table, List.of("id", "name")));
        Staged first = stage(List.of("id", "name"), "id,name\n1,Ann\n");
        exec(TrinoSql.insert(table, List.of("id", "name"), first.table, t1));
        List<TrinoLoads.Snapshot> before = TrinoLoads.snapshots(trino, ICE, BUCKET, "customers");

        List<String> wider = List.of("id", "name", "City");
        Staged second = stage(wider, "id,name,City\n2,Bob,Brno\n");
        String broken = TrinoSql.merge(table, wider, List.of("id"), STAGING + ".\"no_such_staging\"", t2);
        assertThatThrownBy(() -> TrinoLoads.withAddedColumns(trino, table, List.of("City"), broken, id -> { }))
                .isInstanceOf(SQLException.class).hasMessageContaining("no_such_staging");
        assertThat(columnsOf("customers")).containsExactly("id", "name", "_timestamp");
        assertThat(TrinoLoads.snapshots(trino, ICE, BUCKET, "customers")).isEqualTo(before);
        assertThat(read(table, List.of("id", "name"))).containsExactly(List.of("1", "Ann"));

        TrinoLoads.withAddedColumns(trino, table, List.of("City"), TrinoSql.merge(table, wider, List.of("id"), second.table, t2),
                id -> { });
        assertThat(columnsOf("customers")).containsExactly("id", "name", "_timestamp", "City");
        assertThat(read(table, wider)).containsExactly(List.of("1", "Ann", ""), List.of("2", "Bob", "Brno"));
        first.cleanup();
        second.cleanup();
    }

    @Test
    void aRetriedLoadFindsItsCommitByTheQueryIdRecordedBeforeTheCommit() throws Exception {
        String table = table("retried");
        List<String> columns = List.of("id");
        exec(TrinoSql.createTable(table, columns));
        Staged staged = stage(columns, "id\n1\n2\n");
        AtomicReference<String> recorded = new AtomicReference<>();
        long inserted = TrinoLoads.execute(trino, TrinoSql.insert(table, columns, staged.table, t1), recorded::set);
        assertThat(inserted).isEqualTo(2);
        assertThat(recorded.get()).isNotNull();
        // the retry: the recorded query committed, so the load is not applied again
        var committed = TrinoLoads.committedBy(trino, ICE, BUCKET, "retried", recorded.get());
        assertThat(committed).hasValueSatisfying(s -> assertThat(s.operation()).isEqualTo("append"));
        assertThat(TrinoLoads.committedBy(trino, ICE, BUCKET, "retried", "20240101_000000_00000_xxxxx")).isEmpty();
        assertThat(TrinoLoads.runningFrom(trino, "granary-load-none")).isEmpty();
        staged.cleanup();
    }

    @Test
    void aMalformedFileFailsWithItsLineBeforeAnythingIsLoaded() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "id,v\n1,a\n2,\"open\n", StandardCharsets.UTF_8);
        String prefix = "trino/staging-test/" + (++jobs) + "/";
        assertThatThrownBy(() -> TrinoStaging.stage(lake.store, prefix, List.of(csv), true, CsvDialect.RFC, 2, 1000, dir,
                (b, r) -> { })).isInstanceOf(GranaryException.class)
                .hasMessage("Invalid CSV file. Line 3: a quoted value is not closed (unterminated quote).");
        assertThat(lake.store.list(prefix)).isEmpty();
    }

    @Test
    void namesThatTrinoWouldFoldOrRefuseRoundTrip() throws Exception {
        String weirdBucket = "out.c-x\"y";
        try (Statement s = trino.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + TrinoSql.id(ICE) + "." + TrinoSql.id(TrinoNames.physical(weirdBucket)));
        }
        String table = TrinoNames.table(ICE, weirdBucket, "we\"ird name");
        List<String> columns = List.of("a\"b", "c d", "Id", "id");
        exec(TrinoSql.createTable(table, columns));
        Staged staged = stage(columns, "x,y,z,w\n1,2,3,4\n");
        exec(TrinoSql.insert(table, columns, staged.table, t1));
        assertThat(read(table, columns)).containsExactly(List.of("1", "2", "3", "4"));
        List<String> names = new ArrayList<>();
        for (List<String> row : rows(trino.createStatement(), "SELECT column_name FROM " + TrinoSql.id(ICE)
                + ".information_schema.columns WHERE table_schema = " + TrinoSql.literal(TrinoNames.physical(weirdBucket))
                + " AND table_name = " + TrinoSql.literal(TrinoNames.physical("we\"ird name")) + " ORDER BY ordinal_position")) {
            names.add(TrinoNames.logical(row.get(0)));
        }
        assertThat(names).containsExactly("a\"b", "c d", "Id", "id", "_timestamp");
        staged.cleanup();
    }

    @Test
    void compactionAndSnapshotExpiryRun() throws Exception {
        String table = table("maintained");
        List<String> columns = List.of("id", "v");
        exec(TrinoSql.createTable(table, columns));
        for (int i = 0; i < 3; i++) {
            Staged staged = stage(columns, "id,v\n" + i + ",x\n1,y" + i + "\n");
            exec(TrinoSql.merge(table, columns, List.of("id"), staged.table, t1));
            staged.cleanup();
        }
        long filesBefore = count("SELECT count(*) FROM " + metadata("maintained", "files"));
        exec(TrinoSql.optimize(table));
        assertThat(count("SELECT count(*) FROM " + metadata("maintained", "files"))).isLessThan(filesBefore);
        exec("SET SESSION " + TrinoSql.id(ICE) + ".expire_snapshots_min_retention = '0s'");
        exec("SET SESSION " + TrinoSql.id(ICE) + ".remove_orphan_files_min_retention = '0s'");
        exec(TrinoSql.expireSnapshots(table, "0s"));
        exec(TrinoSql.removeOrphanFiles(table, "0s"));
        assertThat(count("SELECT count(*) FROM " + metadata("maintained", "snapshots"))).isEqualTo(1);
        assertThat(read(table, columns)).containsExactly(List.of("0", "x"), List.of("1", "y2"), List.of("2", "x"));
    }

    // ---- helpers

    record Staged(String table, String prefix) {
        void cleanup() throws SQLException {
            TrinoStaging.cleanup(trino, table, lake.store, prefix);
        }
    }

    Staged stage(List<String> columns, String csv) throws Exception {
        int job = ++jobs;
        Path file = dir.resolve("load-" + job + ".csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        String prefix = "trino/staging-test/" + job + "/";
        var staged = TrinoStaging.stage(lake.store, prefix, List.of(file), true, CsvDialect.RFC, columns.size(), 2, dir,
                (b, r) -> { });
        String table = STAGING + "." + TrinoSql.id("job_" + ProcessHandle.current().pid() + "_" + job);
        exec(TrinoStaging.createTable(table, columns.size(), "s3://" + lake.store.bucket() + "/" + staged.prefix()));
        return new Staged(table, staged.prefix());
    }

    static String table(String name) {
        return TrinoNames.table(ICE, BUCKET, name);
    }

    static String metadata(String table, String kind) {
        return TrinoSql.id(ICE) + "." + TrinoSql.id(TrinoNames.physical(BUCKET)) + "." + TrinoSql.id(TrinoNames.physical(table) + "$" + kind);
    }

    static void exec(String sql) throws SQLException {
        try (Statement s = trino.createStatement()) {
            s.execute(sql);
        }
    }

    static long count(String sql) throws SQLException {
        return Long.parseLong(rows(trino.createStatement(), sql).get(0).get(0));
    }

    static List<List<String>> read(String table, List<String> columns) throws SQLException {
        StringBuilder b = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(TrinoSql.read(columns.get(i)));
        }
        b.append(" FROM ").append(table).append(" ORDER BY 1");
        return rows(trino.createStatement(), b.toString());
    }

    static List<String> columnsOf(String tableName) throws SQLException {
        List<String> out = new ArrayList<>();
        for (List<String> row : rows(trino.createStatement(), "SELECT column_name FROM " + TrinoSql.id(ICE)
                + ".information_schema.columns WHERE table_schema = " + TrinoSql.literal(TrinoNames.physical(BUCKET))
                + " AND table_name = " + TrinoSql.literal(TrinoNames.physical(tableName)) + " ORDER BY ordinal_position")) {
            out.add(TrinoNames.logical(row.get(0)));
        }
        return out;
    }
}
