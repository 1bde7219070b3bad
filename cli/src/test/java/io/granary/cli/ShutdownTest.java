package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import java.io.BufferedWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stops a real server process with SIGTERM, on the embedded SQLite queue and on the PostgreSQL one: a job that
 * finishes within the grace completes and the process exits 0; a job that does not is handed back — in the queue
 * as waiting, never processing, no start time, its attempt taken back, the table as before — and after the
 * restart it runs to success with the table exactly as expected. While the node drains, a new job is refused with
 * 503, Keboola's error JSON and Retry-After.
 */
class ShutdownTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MEDIUM_ROWS = 50_000;
    private static final int BIG_ROWS = 1_000_000;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void sigtermFinishesOrHandsBackRunningJobsAndExitsZero(String queue) throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        PostgresConfig pg = queue.equals("postgres") ? TestPostgres.newDatabase() : null;
        String[] stores = pg == null ? new String[0] : new String[] {"--catalog", "postgres", "--backend", "postgres",
            "--postgres-url", pg.url(), "--postgres-user", pg.user()};
        Path small = Files.writeString(tmp.resolve("small.csv"), "id,val\na,1\nb,2\nc,3\n");
        Path medium = csv("medium.csv", "m", MEDIUM_ROWS);
        Path big = csv("big.csv", "", BIG_ROWS);

        // (a) a job that finishes within a generous grace: it completes, then the process exits 0
        long mediumJob;
        long bigFile;
        try (ServerProcess server = ServerProcess.start(data, 2, with(stores, "--shutdown-grace", "120"))) {
            server.postJson("/v2/storage/buckets", Map.of("name", "main", "stage", "in"));
            long smallFile = server.uploadFile(small.toFile());
            JsonNode created = server.waitForJob(server.postJson("/v2/storage/buckets/in.c-main/tables-async",
                    Map.of("name", "t", "dataFileId", smallFile, "primaryKey", "id")).get("id").asLong());
            assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
            long mediumFile = server.uploadFile(medium.toFile());
            bigFile = server.uploadFile(big.toFile());
            mediumJob = importInto(server, mediumFile);
            awaitProcessing(server, mediumJob);
            assertThat(server.terminate(Duration.ofMinutes(3))).as(server.log()).isZero();
            assertThat(server.log()).contains("Granary stopped.");
        }
        assertThat(jobRow(data, pg, mediumJob).status).isEqualTo("success");

        // (b) a job over a grace of 0 s: interrupted, handed back, the process still exits 0
        long bigJob;
        try (ServerProcess server = ServerProcess.start(data, 2, with(stores, "--shutdown-grace", "0"))) {
            assertThat(rows(server)).isEqualTo(3 + MEDIUM_ROWS);
            bigJob = importInto(server, bigFile);
            awaitProcessing(server, bigJob);
            Thread.sleep(100);
            int code = stopAndCheckRefusal(server, bigFile);
            assertThat(code).as(server.log()).isZero();
            assertThat(server.log()).contains("job " + bigJob + " tableImport handed back to the queue");
        }
        // (c) nothing left processing: the job waits as if never started
        JobRow row = jobRow(data, pg, bigJob);
        assertThat(row.status).isEqualTo("waiting");
        assertThat(row.started).isNull();
        assertThat(row.attempts).isZero();
        assertThat(row.processingJobs).isZero();

        try (ServerProcess apiOnly = ServerProcess.start(data, 0, stores)) {
            assertThat(rows(apiOnly)).as("the interrupted load rolled back").isEqualTo(3 + MEDIUM_ROWS);
            JsonNode job = apiOnly.getJson("/v2/storage/jobs/" + bigJob + "?wait=0");
            assertThat(job.get("status").asText()).isEqualTo("waiting");
            assertThat(job.get("startTime").isNull()).as(job.toString()).isTrue();
            assertThat(job.get("endTime").isNull()).as(job.toString()).isTrue();
        }

        try (ServerProcess server = ServerProcess.start(data, 2, stores)) {
            JsonNode job = server.waitForJob(bigJob);
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
            assertThat(rows(server)).isEqualTo(3 + MEDIUM_ROWS + BIG_ROWS);
            assertThat(server.terminate(Duration.ofMinutes(1))).isZero();
        }
        assertThat(jobRow(data, pg, bigJob).attempts).as("started once to the end").isEqualTo(1);
    }

    /**
     * Sends SIGTERM and, while the node drains (its log says so), submits a job: it is refused with 503 (or the
     * node has stopped listening already: a grace of 0 s drains only as long as the interrupted load takes to roll
     * back). Returns the exit code.
     */
    private static int stopAndCheckRefusal(ServerProcess server, long fileId) throws Exception {
        int[] code = {-1};
        Thread sigterm = new Thread(() -> {
            try {
                code[0] = server.terminate(Duration.ofMinutes(3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        sigterm.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!server.log().contains("Stopping Granary:") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        try {
            HttpResponse<String> refused = server.post("/v2/storage/tables/in.c-main.t/import-async",
                    Map.of("dataFileId", fileId, "incremental", true));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            JsonNode body = JSON.readTree(refused.body());
            assertThat(body.get("error").asText()).isEqualTo("The server is stopping and accepts no new jobs. Retry in a"
                    + " moment (on another node, or after the restart).");
            assertThat(body.get("code").asText()).isEqualTo("storage.maintenance");
            assertThat(body.get("status").asText()).isEqualTo("maintenance");
            assertThat(body.get("reason").asText()).isEqualTo(body.get("error").asText());
            assertThat(body.get("exceptionId").asText()).startsWith("exception-");
            assertThat(body.has("estimatedEndTime")).isTrue();
            assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                    v -> assertThat(Long.parseLong(v)).isGreaterThanOrEqualTo(5));
        } catch (java.io.IOException stoppedAlready) {
            // the drain ended before (or while) the request came: the listener is closed, nothing was submitted
        }
        sigterm.join();
        return code[0];
    }

    private static long importInto(ServerProcess server, long fileId) throws Exception {
        return server.postJson("/v2/storage/tables/in.c-main.t/import-async",
                Map.of("dataFileId", fileId, "incremental", true)).get("id").asLong();
    }

    private static void awaitProcessing(ServerProcess server, long job) throws Exception {
        String status = "waiting";
        for (int i = 0; i < 2000 && status.equals("waiting"); i++) {
            status = server.getJson("/v2/storage/jobs/" + job + "?wait=0").get("status").asText();
            Thread.sleep(5);
        }
        assertThat(status).isEqualTo("processing");
    }

    private static long rows(ServerProcess server) throws Exception {
        return server.getJson("/v2/storage/tables/in.c-main.t").get("rowsCount").asLong();
    }

    private Path csv(String name, String prefix, int rows) throws Exception {
        Path file = tmp.resolve(name);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("id,val\n");
            for (int i = 0; i < rows; i++) {
                w.write(prefix);
                w.write(Integer.toString(i));
                w.write(",\"value number ");
                w.write(Integer.toString(i));
                w.write("\"\n");
            }
        }
        return file;
    }

    private record JobRow(String status, Object started, int attempts, int processingJobs) {
    }

    /** The job as its queue stores it, read straight from the database while no server runs. */
    private static JobRow jobRow(Path data, PostgresConfig pg, long id) throws Exception {
        String url = pg == null ? "jdbc:sqlite:" + data.resolve("catalog.sqlite") : pg.url();
        try (Connection c = pg == null ? DriverManager.getConnection(url)
                : DriverManager.getConnection(url, pg.user(), pg.password());
                PreparedStatement ps = c.prepareStatement("SELECT status, started, attempts,"
                        + " (SELECT count(*) FROM jobs WHERE status = 'processing') FROM jobs WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return new JobRow(rs.getString(1), rs.getObject(2), rs.getInt(3), rs.getInt(4));
            }
        }
    }

    private static String[] with(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
