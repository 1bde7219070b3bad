package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.PostgresDatabase;
import io.granary.postgres.TestPostgres;
import io.granary.server.FreePort;
import io.granary.server.SharedS3Endpoint;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server processes on one PostgreSQL database and one object store (a {@code granary s3} endpoint). Imports to several tables go in
 * through both; one node is killed (SIGKILL) while it runs a job. The other takes the job over once its
 * lease runs out: every job succeeds exactly once, each table's jobs ran one at a time in submission
 * order, and row counts are exact (appends without a primary key, so a load applied twice would show).
 */
class MultiNodeTest {

    private static final int TABLES = 4;
    private static final int IMPORTS_PER_TABLE = 6;

    @TempDir
    Path tmp;

    @Test
    void aKilledNodesJobsAreTakenOverAndEveryImportLandsOnce() throws Exception {
        PostgresConfig pg = TestPostgres.newDatabase();
        Path s3Dir = tmp.resolve("s3");
        try (PostgresDatabase db = new PostgresDatabase(pg);
                SharedS3Endpoint objects = SharedS3Endpoint.start(s3Dir, "127.0.0.1", FreePort.find(), "granary", pg)) {
            Properties keys = new Properties();
            try (var in = Files.newInputStream(s3Dir.resolve("s3-system-key.properties"))) {
                keys.load(in);
            }
            String[] shared = {"--catalog", "postgres", "--backend", "postgres", "--postgres-url", pg.url(),
                "--postgres-user", pg.user(), "--s3-endpoint", objects.endpoint(), "--s3-bucket", "granary",
                "--s3-access-key", objects.accessKey(), "--s3-secret-key", keys.getProperty("secretKey"),
                "--s3-credentials", "granary", "--job-lease", "3"};
            try (ServerProcess a = ServerProcess.start(dir("a"), 2, with(shared, "--node-name", "node-a"));
                    ServerProcess b = ServerProcess.start(dir("b"), 2, with(shared, "--node-name", "node-b"))) {
                ServerProcess[] nodes = {a, b};
                a.postJson("/v2/storage/buckets", Map.of("name", "main", "stage", "in"));
                long seed = b.uploadFile(csv("seed", 1).toFile());
                Map<String, Long> expectedRows = new LinkedHashMap<>();
                for (int t = 0; t < TABLES; t++) {
                    JsonNode created = nodes[t % 2].waitForJob(nodes[t % 2].postJson(
                            "/v2/storage/buckets/in.c-main/tables-async", Map.of("name", "t" + t, "dataFileId", seed))
                            .get("id").asLong());
                    assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
                    expectedRows.put("in.c-main.t" + t, 1L);
                }

                // every file first, then every import at once: submitted between uploads, the jobs could all be done
                // before the wait below looked (seen in CI: "node-b never ran an import")
                List<Long> files = new ArrayList<>();
                for (int i = 0; i < IMPORTS_PER_TABLE; i++) {
                    for (int t = 0; t < TABLES; t++) {
                        int rows = 150_000 + i * 1_000 + t;
                        files.add(nodes[(i + t) % 2].uploadFile(csv("t" + t + "-" + i, rows).toFile()));
                        expectedRows.merge("in.c-main.t" + t, (long) rows, Long::sum);
                    }
                }
                List<Long> jobs = new ArrayList<>();
                for (int i = 0; i < IMPORTS_PER_TABLE; i++) {
                    for (int t = 0; t < TABLES; t++) {
                        jobs.add(nodes[(i + t) % 2].postJson("/v2/storage/tables/in.c-main.t" + t + "/import-async",
                                Map.of("dataFileId", files.get(i * TABLES + t), "incremental", true)).get("id").asLong());
                    }
                }

                awaitJobRunningOn(db, "node-b");
                b.kill();
                // Read after the process is gone: a job that node-b finished just before the kill is not an orphan.
                List<Long> orphans = processingOn(db, "node-b");
                assertThat(orphans).as("node-b was killed while it ran a job").isNotEmpty();

                for (long id : jobs) {
                    JsonNode job = a.waitForJob(id);
                    assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
                }
                for (long orphan : orphans) {
                    assertThat(attempts(db, orphan)).as("the killed node's job " + orphan + " was run again").isEqualTo(2);
                }
                for (var e : expectedRows.entrySet()) {
                    assertThat(a.getJson("/v2/storage/tables/" + e.getKey()).get("rowsCount").asLong()).as(e.getKey())
                            .isEqualTo(e.getValue());
                    assertRanOneAtATimeInOrder(db, e.getKey());
                }
            }
        }
    }

    private Path dir(String name) throws Exception {
        return Files.createDirectories(tmp.resolve(name).resolve("data"));
    }

    private static String[] with(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private Path csv(String name, int rows) throws Exception {
        Path file = tmp.resolve(name + ".csv");
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("id,val\n");
            for (int i = 0; i < rows; i++) {
                w.write(name + "-" + i + ",\"value " + i + "\"\n");
            }
        }
        return file;
    }

    private static long awaitJobRunningOn(PostgresDatabase db, String node) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM jobs WHERE status = 'processing' AND operation_name = 'tableImport'"
                            + " AND worker_id LIKE ? ORDER BY id LIMIT 1")) {
                ps.setString(1, node + "-%");
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getLong(1);
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError(node + " never ran an import");
    }

    private static List<Long> processingOn(PostgresDatabase db, String node) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM jobs WHERE status = 'processing' AND worker_id LIKE ? ORDER BY id")) {
            ps.setString(1, node + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    private static int attempts(PostgresDatabase db, long job) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT attempts FROM jobs WHERE id = ?")) {
            ps.setLong(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void assertRanOneAtATimeInOrder(PostgresDatabase db, String tableId) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, started, ended FROM jobs WHERE table_id = ? ORDER BY id")) {
            ps.setString(1, tableId);
            Timestamp previousEnd = null;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp started = rs.getTimestamp(2);
                    if (previousEnd != null) {
                        assertThat(started).as("job " + rs.getLong(1) + " of " + tableId + " started after the one before ended")
                                .isAfterOrEqualTo(previousEnd);
                    }
                    previousEnd = rs.getTimestamp(3);
                }
            }
        }
    }
}
