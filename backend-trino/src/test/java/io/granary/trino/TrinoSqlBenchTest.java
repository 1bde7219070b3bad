package io.granary.trino;

import static io.granary.trino.TrinoLoadTest.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.csv.CsvDialect;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times the building blocks on about 100 MB (1.06 M rows, 7 columns): staging from Java, a full load
 * with key de-duplication, a MERGE of 100 k rows (half existing), a gzip CSV and a Parquet export.
 * A measurement, not a check: run it on purpose with
 * {@code mvn -pl backend-trino -am verify -Dtest=TrinoSqlBenchTest -Dgranary.bench=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "granary.bench", matches = "true")
class TrinoSqlBenchTest {

    @TempDir
    Path dir;

    @Test
    void hundredMegabytes() throws Exception {
        TrinoLoadTest.connect();
        TrinoTestLake lake = TrinoLoadTest.lake;
        List<String> columns = List.of("id", "name", "email", "city", "amount", "note", "created");
        Path csv = dir.resolve("big.csv");
        long rows = 1_060_000;
        write(csv, 0, rows);
        Path merge = dir.resolve("merge.csv");
        write(merge, rows - 50_000, 100_000);
        System.err.printf(Locale.ROOT, "bench: CSV %.1f MB, %d rows%n", Files.size(csv) / 1e6, rows);

        long t = System.nanoTime();
        var staged = TrinoStaging.stage(lake.store, "bench/stage-1/", List.of(csv), true, CsvDialect.RFC, columns.size(),
                200_000, dir, (b, r) -> { });
        report("stage gzip JSON lines (parse + write + put)", t, staged.bytes() / 1e6 + " MB in " + staged.parts().size() + " parts");
        String stagingTable = TrinoLoadTest.STAGING + ".\"bench_1\"";
        exec(TrinoStaging.createTable(stagingTable, columns.size(), "s3://granary/" + staged.prefix()));
        String table = TrinoNames.table(TrinoTestLake.ICEBERG, TrinoLoadTest.BUCKET, "bench");
        t = System.nanoTime();
        exec(TrinoSql.fullLoad(table, columns, columns, List.of("id"), stagingTable, Instant.now()));
        report("full load CTAS with key de-dup", t, "");

        var staged2 = TrinoStaging.stage(lake.store, "bench/stage-2/", List.of(merge), true, CsvDialect.RFC, columns.size(),
                200_000, dir, (b, r) -> { });
        String stagingTable2 = TrinoLoadTest.STAGING + ".\"bench_2\"";
        exec(TrinoStaging.createTable(stagingTable2, columns.size(), "s3://granary/" + staged2.prefix()));
        t = System.nanoTime();
        exec(TrinoSql.merge(table, columns, List.of("id"), stagingTable2, Instant.now()));
        report("MERGE 100 k rows (half existing)", t, "");
        assertThat(TrinoLoadTest.count("SELECT count(*) FROM " + table)).isEqualTo(rows + 50_000);

        StringBuilder select = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            select.append(i == 0 ? "" : ", ").append(TrinoSql.read(columns.get(i)));
        }
        select.append(" FROM ").append(table);
        List<String> names = columns.stream().map(c -> "c_" + c).toList();
        t = System.nanoTime();
        var csvExport = TrinoExport.export(TrinoLoadTest.trino, TrinoTestLake.HIVE, TrinoExportTest.EXPORTS + ".\"bench_e1\"",
                names, select.toString(), lake.store, "bench/export-csv/", TrinoExport.Format.CSV_GZIP);
        report("export gzip CSV", t, csvExport.slices().size() + " slices");
        t = System.nanoTime();
        var pq = TrinoExport.export(TrinoLoadTest.trino, TrinoTestLake.HIVE, TrinoExportTest.EXPORTS + ".\"bench_e2\"",
                names, select.toString(), lake.store, "bench/export-pq/", TrinoExport.Format.PARQUET);
        report("export Parquet", t, pq.slices().size() + " slices");
        TrinoStaging.cleanup(TrinoLoadTest.trino, stagingTable, lake.store, staged.prefix());
        TrinoStaging.cleanup(TrinoLoadTest.trino, stagingTable2, lake.store, staged2.prefix());
    }

    private static void write(Path file, long from, long count) throws Exception {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id,name,email,city,amount,note,created\n");
            for (long i = from; i < from + count; i++) {
                w.write(i + ",\"Name " + i + "\",user" + i + "@example.com,City " + (i % 977) + "," + (i % 10007) + ".25,"
                        + "\"a note, with \"\"quotes\"\" for row " + i + " lorem ipsum dolor\",2024-01-" + (1 + i % 28)
                        + "T10:00:00Z\n");
            }
        }
    }

    private static void report(String what, long t0, String extra) {
        System.err.printf(Locale.ROOT, "bench: %-45s %6.1f s %s%n", what, (System.nanoTime() - t0) / 1e9, extra);
    }
}
