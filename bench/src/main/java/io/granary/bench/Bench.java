package io.granary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.granary.core.util.FileTrees;
import io.granary.server.GranaryServer;
import io.granary.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code bench/run import [--size-mb N] [--runs N] [--work-dir DIR]}: loads one generated CSV through
 * Granary (S3 upload + tables-async job) and through raw DuckDB (CREATE TABLE + COPY FROM) in the same
 * run, and prints medians and the ratio.
 */
public final class Bench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String TOKEN = "1-1-bench-master-token";

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("generate")) {
            // bench/run generate FILE SIZE_MB: the same data the scenarios use, for measuring other tools on it
            long rows = CsvGenerator.write(Path.of(args[1]), Long.parseLong(args[2]) * 1024 * 1024);
            System.out.println(rows);
            return;
        }
        if (args.length == 0 || !(args[0].equals("import") || args[0].equals("pg-import"))) {
            System.err.println("usage: bench/run import|pg-import [--size-mb N] [--runs N] [--work-dir DIR]"
                    + " | bench/run generate FILE SIZE_MB");
            System.exit(2);
        }
        long sizeMb = 1024;
        int runs = 1;
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "granary-bench");
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--size-mb" -> sizeMb = Long.parseLong(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--work-dir" -> work = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (args[0].equals("pg-import")) {
            PostgresImport.run(work, sizeMb, runs);
        } else {
            importScenario(work, sizeMb, runs);
        }
    }

    private static void importScenario(Path work, long sizeMb, int runs) throws Exception {
        FileTrees.delete(work);
        Files.createDirectories(work);
        Path csv = work.resolve("data.csv");
        long t0 = System.nanoTime();
        long rows = CsvGenerator.write(csv, sizeMb * 1024 * 1024);
        System.err.printf("generated %s: %d rows, %.0f MiB in %.1f s%n", csv, rows, Files.size(csv) / 1048576.0, secs(t0));

        // load DuckDB's native library before timing anything
        try (Connection warm = DriverManager.getConnection("jdbc:duckdb:"); Statement s = warm.createStatement()) {
            s.execute("SELECT 1");
        }
        List<Double> raw = new ArrayList<>();
        List<Double> upload = new ArrayList<>();
        List<Double> job = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            raw.add(rawDuckDb(work.resolve("raw-" + run + ".duckdb"), csv));
            Path data = work.resolve("granary-" + run);
            try (GranaryServer server = GranaryServer.start(ServerConfig.defaults(data).withPorts(0, 0).withMasterToken(TOKEN))) {
                double[] times = granaryImport(server, csv, rows);
                upload.add(times[0]);
                job.add(times[1]);
            }
            FileTrees.delete(data);
            Files.deleteIfExists(work.resolve("raw-" + run + ".duckdb"));
            System.err.printf("run %d: raw DuckDB %.2f s, Granary upload %.2f s, Granary import job %.2f s%n",
                    run + 1, raw.get(run), upload.get(run), job.get(run));
        }
        double rawMedian = median(raw);
        double jobMedian = median(job);
        double uploadMedian = median(upload);
        System.out.printf("%nimport %d MiB, %d rows, median of %d run(s)%n", sizeMb, rows, runs);
        System.out.printf("%-40s %10s%n", "path", "seconds");
        System.out.printf("%-40s %10.2f%n", "raw DuckDB CREATE TABLE + COPY FROM", rawMedian);
        System.out.printf("%-40s %10.2f%n", "Granary tables-async job", jobMedian);
        System.out.printf("%-40s %10.2f%n", "Granary S3 upload (AWS SDK PutObject)", uploadMedian);
        System.out.printf("ratio Granary import job / raw DuckDB: %.2f%n", jobMedian / rawMedian);
        System.out.printf("ratio Granary upload + import / raw DuckDB: %.2f%n", (jobMedian + uploadMedian) / rawMedian);
        Files.writeString(work.resolve("import-results.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of(
                "scenario", "import", "sizeMb", sizeMb, "rows", rows, "runs", runs, "rawDuckDbSeconds", raw,
                "granaryJobSeconds", job, "granaryUploadSeconds", upload, "ratioJobToRaw", jobMedian / rawMedian)));
        Files.deleteIfExists(csv);
    }

    private static double rawDuckDb(Path db, Path csv) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            s.execute("CREATE TABLE t (id VARCHAR, c2 VARCHAR, c3 VARCHAR, c4 VARCHAR, c5 VARCHAR, c6 VARCHAR, c7 VARCHAR,"
                    + " c8 VARCHAR, c9 VARCHAR, c10 VARCHAR)");
            s.execute("COPY t FROM '" + csv.toString().replace("'", "''") + "' (HEADER true)");
            return secs(t0);
        }
    }

    /** Returns {upload seconds, job seconds}. */
    static double[] granaryImport(GranaryServer server, Path csv, long rows) throws Exception {
        post(server, "/v2/storage/buckets", Map.of("name", "bench", "stage", "in"));
        JsonNode file = post(server, "/v2/storage/files/prepare", Map.of("name", "data.csv", "federationToken", 1));
        JsonNode up = file.get("uploadParams");
        JsonNode creds = up.get("credentials");
        long t0 = System.nanoTime();
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(server.s3Url())).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                        creds.get("AccessKeyId").asText(), creds.get("SecretAccessKey").asText(),
                        creds.get("SessionToken").asText()))).build()) {
            s3.putObject(b -> b.bucket(up.get("bucket").asText()).key(up.get("key").asText()), RequestBody.fromFile(csv));
        }
        double upload = secs(t0);
        long t1 = System.nanoTime();
        JsonNode job = post(server, "/v2/storage/buckets/in.c-bench/tables-async",
                Map.of("name", "t", "dataFileId", file.get("id").asLong()));
        String url = "/v2/storage/jobs/" + job.get("id").asLong() + "?wait=30";
        while (!job.get("status").asText().equals("success")) {
            if (job.get("status").asText().equals("error")) {
                throw new IllegalStateException("import failed: " + job);
            }
            job = get(server, url);
        }
        double jobSeconds = secs(t1);
        long loaded = get(server, "/v2/storage/tables/in.c-bench.t").get("rowsCount").asLong();
        if (loaded != rows) {
            throw new IllegalStateException("loaded " + loaded + " rows, expected " + rows);
        }
        return new double[] {upload, jobSeconds};
    }

    private static JsonNode post(GranaryServer server, String path, Object body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("X-StorageApi-Token", TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300 && r.statusCode() != 202) {
            throw new IllegalStateException(path + " → " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static JsonNode get(GranaryServer server, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("X-StorageApi-Token", TOKEN).timeout(Duration.ofMinutes(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double secs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

}
