package io.granary.trino;

import static io.granary.trino.TrinoLoadTest.exec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrinoExportTest {

    static final String ICE = TrinoTestLake.ICEBERG;
    static final String BUCKET = "out.c-export";
    static final String EXPORTS = TrinoSql.id(TrinoTestLake.HIVE) + "." + TrinoSql.id("granary_exports");
    static TrinoTestLake lake;

    @BeforeAll
    static void setUp() throws Exception {
        TrinoLoadTest.connect();
        lake = TrinoLoadTest.lake;
        exec("CREATE SCHEMA IF NOT EXISTS " + TrinoSql.id(ICE) + "." + TrinoSql.id(TrinoNames.physical(BUCKET)));
        exec("CREATE SCHEMA IF NOT EXISTS " + EXPORTS + " WITH (location = 's3://granary/trino/exports/')");
    }

    @Test
    void csvGzipSlicesAreCompleteStreamsInGranarysExportFormat() throws Exception {
        String table = TrinoNames.table(ICE, BUCKET, "t");
        exec(TrinoSql.createTable(table, List.of("id", "v")));
        exec("INSERT INTO " + table + " VALUES ('1', 'say \"hi\", ok', TIMESTAMP '2024-01-01 00:00:00 UTC'),"
                + " ('2', 'multi\nline\\x', TIMESTAMP '2024-01-01 00:00:00 UTC'), ('3', '', TIMESTAMP '2024-01-01 00:00:00 UTC')");
        exec("ALTER TABLE " + table + " ADD COLUMN later varchar");
        TrinoExport.Result result = TrinoExport.export(TrinoLoadTest.trino, TrinoTestLake.HIVE, EXPORTS + ".\"export_1\"",
                List.of("c0", "c1", "c2"), "SELECT " + TrinoSql.read("id") + ", " + TrinoSql.read("v") + ", " + TrinoSql.read("later") + " FROM " + table,
                lake.store, "exports/job-1/", TrinoExport.Format.CSV_GZIP);
        assertThat(result.rows()).isEqualTo(3);
        assertThat(result.slices()).isNotEmpty().allSatisfy(k -> assertThat(k).startsWith("exports/job-1/").endsWith(".gz"));
        StringBuilder all = new StringBuilder();
        for (String slice : result.slices()) {
            all.append(gunzip(slice));
        }
        assertThat(all.toString().lines().sorted().toList()).containsExactly("\"1\",\"say \"\"hi\"\", ok\",\"\"",
                "\"2\",\"multi", "\"3\",\"\",\"\"", "line\\x\",\"\"");
        assertThat(all.toString()).doesNotContain("\r").contains("\"2\",\"multi\nline\\x\",\"\"\n");
        assertThat(lake.store.list("exports/job-1/")).hasSize(result.slices().size());
        exec("SELECT 1"); // the transient table is gone, its files stay
        try (Statement s = TrinoLoadTest.trino.createStatement()) {
            assertThat(TrinoCatalogSetupTest.rows(s, "SHOW TABLES FROM " + EXPORTS + " LIKE 'export_1'")).isEmpty();
        }
    }

    @Test
    void anEmptyTableStillExportsOneEmptySlice() throws Exception {
        String table = TrinoNames.table(ICE, BUCKET, "empty");
        exec(TrinoSql.createTable(table, List.of("id")));
        TrinoExport.Result result = TrinoExport.export(TrinoLoadTest.trino, TrinoTestLake.HIVE, EXPORTS + ".\"export_2\"",
                List.of("id"), "SELECT " + TrinoSql.read("id") + " FROM " + table, lake.store, "exports/job-2/", TrinoExport.Format.CSV_GZIP);
        assertThat(result.rows()).isZero();
        assertThat(result.slices()).containsExactly("exports/job-2/part-00000.csv.gz");
        assertThat(gunzip(result.slices().get(0))).isEmpty();
    }

    @Test
    void parquetIsWrittenNatively() throws Exception {
        String table = TrinoNames.table(ICE, BUCKET, "pq");
        exec(TrinoSql.createTable(table, List.of("id", "v")));
        exec("INSERT INTO " + table + " VALUES ('1', 'a', current_timestamp), ('2', 'b', current_timestamp)");
        TrinoExport.Result result = TrinoExport.export(TrinoLoadTest.trino, TrinoTestLake.HIVE, EXPORTS + ".\"export_3\"",
                List.of("id", "v"), "SELECT " + TrinoSql.read("id") + " AS id, " + TrinoSql.read("v") + " AS v FROM " + table, lake.store,
                "exports/job-3/", TrinoExport.Format.PARQUET);
        assertThat(result.rows()).isEqualTo(2);
        assertThat(result.slices()).isNotEmpty();
        try (InputStream in = lake.store.open(result.slices().get(0)).orElseThrow()) {
            assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("PAR1");
        }
        // read back through a transient table over the slices: the values survived
        exec("CREATE TABLE " + EXPORTS + ".\"check_3\" (id varchar, v varchar) WITH (external_location = 's3://granary/exports/job-3/',"
                + " format = 'PARQUET')");
        try (Statement s = TrinoLoadTest.trino.createStatement()) {
            assertThat(TrinoCatalogSetupTest.rows(s, "SELECT id, v FROM " + EXPORTS + ".\"check_3\" ORDER BY id"))
                    .containsExactly(List.of("1", "a"), List.of("2", "b"));
        }
        exec("DROP TABLE " + EXPORTS + ".\"check_3\"");
    }

    private static String gunzip(String key) throws Exception {
        try (InputStream in = new GZIPInputStream(lake.store.open(key).orElseThrow())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

}
