package io.granary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import io.granary.trino.TestTrino;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the server process (SIGKILL) while a large import runs, and checks that after a restart the
 * table is exactly as before and the job is not stuck; the retried import then completes exactly once. On the
 * default DuckDB backend and in Trino mode (the shared local Trino of the test JVM, PostgreSQL catalog).
 */
class KillDuringImportTest {

    @TempDir
    Path tmp;

    @Test
    void killedImportLeavesTableUnchangedAndJobIsRetried() throws Exception {
        killDuringImport(3_000_000);
    }

    @Test
    void killedImportOnTrinoLeavesTableUnchangedAndJobIsRetried() throws Exception {
        PostgresConfig db = TestPostgres.newDatabase();
        String catalog = TestTrino.newCatalogName();
        try {
            // Trino's statements take seconds: a tenth of the rows still outlasts the 150 ms before the kill
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--catalog", "postgres",
                    "--postgres-url", db.url(), "--postgres-user", db.user(), "--backend", "trino"));
            args.addAll(TestTrino.serverArgs());
            args.addAll(java.util.List.of("--trino-catalog", catalog, "--trino-maintenance-interval", "0", "--job-lease", "5"));
            killDuringImport(300_000, args.toArray(String[]::new));
        } finally {
            TestTrino.dropCatalogs(catalog);
        }
    }

    private void killDuringImport(int newRows, String... backend) throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        Path small = Files.writeString(tmp.resolve("small.csv"), "id,val\na,1\nb,2\nc,3\n");
        Path big = tmp.resolve("big.csv");
        try (BufferedWriter w = Files.newBufferedWriter(big)) {
            w.write("id,val\n");
            for (int i = 0; i < newRows; i++) {
                w.write(Integer.toString(i));
                w.write(",\"value number ");
                w.write(Integer.toString(i));
                w.write("\"\n");
            }
        }

        long importJob;
        try (ServerProcess server = ServerProcess.start(data, 2, backend)) {
            server.postJson("/v2/storage/buckets", Map.of("name", "main", "stage", "in"));
            long smallFile = server.uploadFile(small.toFile());
            JsonNode created = server.waitForJob(server.postJson("/v2/storage/buckets/in.c-main/tables-async",
                    Map.of("name", "t", "dataFileId", smallFile, "primaryKey", "id")).get("id").asLong());
            assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
            long bigFile = server.uploadFile(big.toFile());
            importJob = server.postJson("/v2/storage/tables/in.c-main.t/import-async",
                    Map.of("dataFileId", bigFile, "incremental", true)).get("id").asLong();
            String status = "waiting";
            for (int i = 0; i < 500 && status.equals("waiting"); i++) {
                status = server.getJson("/v2/storage/jobs/" + importJob + "?wait=0").get("status").asText();
                Thread.sleep(5);
            }
            assertThat(status).isEqualTo("processing");
            Thread.sleep(150);
            server.kill();
        }

        try (ServerProcess apiOnly = ServerProcess.start(data, 0, backend)) {
            JsonNode table = apiOnly.getJson("/v2/storage/tables/in.c-main.t");
            assertThat(table.get("rowsCount").asLong()).isEqualTo(3);
            String preview = apiOnly.get("/v2/storage/tables/in.c-main.t/data-preview?limit=10").body();
            // the rows as before; a preview without orderBy has no order on Trino (Iceberg files come in any order)
            assertThat(preview).startsWith("\"id\",\"val\"\n");
            assertThat(preview.lines().skip(1)).containsExactlyInAnyOrder("\"a\",\"1\"", "\"b\",\"2\"", "\"c\",\"3\"");
            JsonNode job = apiOnly.getJson("/v2/storage/jobs/" + importJob + "?wait=0");
            if (List.of(backend).contains("postgres")) {
                // a shared queue puts a dead node's job back when its lease (5 s here) runs out, not at a start
                assertThat(job.get("status").asText()).isIn("processing", "waiting");
            } else {
                assertThat(job.get("status").asText()).isEqualTo("waiting");
            }
        }

        try (ServerProcess server = ServerProcess.start(data, 2, backend)) {
            long started = System.nanoTime();
            JsonNode job = server.waitForJob(importJob);
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("success");
            // the kill came 150 ms into the first run: the import must take longer than that to have been cut
            assertThat(millis).as("import time (ms); make the file bigger if imports got this fast").isGreaterThan(400);
            assertThat(server.getJson("/v2/storage/tables/in.c-main.t").get("rowsCount").asLong()).isEqualTo(newRows + 3);
        }
    }
}
