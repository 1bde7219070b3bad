package io.granary.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.granary.core.util.FileTrees;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import io.granary.server.GranaryServer;
import io.granary.server.ServerConfig;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * {@code bench/run pg-import}: one generated CSV loaded by raw {@code COPY … FROM STDIN} and through
 * Granary on the PostgreSQL backend (S3 upload + tables-async job), on the same PostgreSQL server in
 * the same run. The server is the embedded test PostgreSQL (binaries from Maven Central).
 */
final class PostgresImport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PostgresImport() {
    }

    static void run(Path work, long sizeMb, int runs) throws Exception {
        FileTrees.delete(work);
        Files.createDirectories(work);
        Path csv = work.resolve("data.csv");
        long t0 = System.nanoTime();
        long rows = CsvGenerator.write(csv, sizeMb * 1024 * 1024);
        System.err.printf("generated %s: %d rows, %.0f MiB in %.1f s%n", csv, rows, Files.size(csv) / 1048576.0,
                Bench.secs(t0));
        List<Double> raw = new ArrayList<>();
        List<Double> upload = new ArrayList<>();
        List<Double> job = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            raw.add(rawCopy(TestPostgres.newDatabase(), csv, rows));
            Path data = work.resolve("granary-" + run);
            try (GranaryServer server = GranaryServer.start(ServerConfig.defaults(data).withPorts(0, 0)
                    .withMasterToken(Bench.TOKEN).withPostgres(TestPostgres.newDatabase()))) {
                double[] times = Bench.granaryImport(server, csv, rows);
                upload.add(times[0]);
                job.add(times[1]);
            }
            FileTrees.delete(data);
            System.err.printf("run %d: raw COPY FROM STDIN %.2f s, Granary upload %.2f s, Granary import job %.2f s%n",
                    run + 1, raw.get(run), upload.get(run), job.get(run));
        }
        double rawMedian = Bench.median(raw);
        double jobMedian = Bench.median(job);
        double uploadMedian = Bench.median(upload);
        System.out.printf("%nPostgreSQL import %d MiB, %d rows, median of %d run(s)%n", sizeMb, rows, runs);
        System.out.printf("%-45s %10s%n", "path", "seconds");
        System.out.printf("%-45s %10.2f%n", "raw CREATE TABLE + COPY FROM STDIN (pgjdbc)", rawMedian);
        System.out.printf("%-45s %10.2f%n", "Granary tables-async job (postgres backend)", jobMedian);
        System.out.printf("%-45s %10.2f%n", "Granary S3 upload (AWS SDK PutObject)", uploadMedian);
        System.out.printf("ratio Granary import job / raw COPY: %.2f%n", jobMedian / rawMedian);
        System.out.printf("ratio Granary upload + import / raw COPY: %.2f%n", (jobMedian + uploadMedian) / rawMedian);
        Files.writeString(work.resolve("pg-import-results.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                Map.of("scenario", "pg-import", "sizeMb", sizeMb, "rows", rows, "runs", runs, "rawCopySeconds", raw,
                        "granaryJobSeconds", job, "granaryUploadSeconds", upload, "ratioJobToRaw", jobMedian / rawMedian)));
        Files.deleteIfExists(csv);
    }

    private static double rawCopy(PostgresConfig db, Path csv, long rows) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
                Statement s = c.createStatement(); InputStream in = Files.newInputStream(csv)) {
            long t0 = System.nanoTime();
            s.execute("CREATE TABLE t (id TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT, c6 TEXT, c7 TEXT, c8 TEXT, c9 TEXT,"
                    + " c10 TEXT)");
            long copied = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY t FROM STDIN WITH (FORMAT csv, HEADER true)", in, 1 << 16);
            double seconds = Bench.secs(t0);
            if (copied != rows) {
                throw new IllegalStateException("raw COPY loaded " + copied + " rows, expected " + rows);
            }
            return seconds;
        }
    }
}
