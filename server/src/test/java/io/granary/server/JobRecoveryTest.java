package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.granary.core.model.Job;
import io.granary.core.job.JobOperations;
import io.granary.core.model.JobLock;
import io.granary.core.model.NewJob;
import io.granary.server.support.EmbeddedGranary;
import io.granary.server.support.Tables;
import io.granary.sqlite.SqliteDatabase;
import io.granary.sqlite.SqliteJobQueue;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A job left in processing by a dead server is retried once on the next start, then failed: never stuck. */
class JobRecoveryTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private long processingJob(int priorStarts) {
        try (SqliteDatabase db = new SqliteDatabase(granary.dataDir().resolve("catalog.sqlite"))) {
            SqliteJobQueue queue = new SqliteJobQueue(db);
            // stored as a version before typed requests stored it: parameters only
            Job job = queue.submit(new NewJob(JobOperations.FILE_DELETE.name(),
                    JsonNodeFactory.instance.objectNode().put("fileId", 999_999), null, null, JobLock.NONE, null, 1,
                    "Master Token"));
            for (int i = 0; i < priorStarts; i++) {
                queue.claimNext("dead-node");
                if (i + 1 < priorStarts) {
                    queue.recoverInterrupted(99, new io.granary.core.model.JobError("x", "x", "x"));
                }
            }
            return job.id();
        }
    }

    @Test
    void interruptedJobIsRetriedOnRestart() {
        granary.stop();
        long id = processingJob(1);
        granary.start();
        JsonNode job = granary.master().get("/v2/storage/jobs/" + id + "?wait=10").json();
        assertThat(job.get("status").asText()).isEqualTo("success");
    }

    @Test
    void jobInterruptedTwiceFailsWithAClearMessage() {
        granary.stop();
        long id = processingJob(2);
        granary.start();
        JsonNode job = granary.master().get("/v2/storage/jobs/" + id).json();
        assertThat(job.get("status").asText()).isEqualTo("error");
        assertThat(job.get("error").get("code").asText()).isEqualTo("storage.jobs.interrupted");
        assertThat(job.get("error").get("message").asText()).contains("interrupted by a server stop");
        assertThat(job.get("error").get("exceptionId").asText()).startsWith("exception-");
    }

    /** Queues a job as a version before typed requests did: the client's parameters only. */
    private long storedByAnOlderVersion(String operation, com.fasterxml.jackson.databind.node.ObjectNode params,
            String tableId) {
        granary.stop();
        try (SqliteDatabase db = new SqliteDatabase(granary.dataDir().resolve("catalog.sqlite"))) {
            SqliteJobQueue queue = new SqliteJobQueue(db);
            return queue.submit(new NewJob(operation, params, null, tableId,
                    tableId == null ? JobLock.NONE : new JobLock(tableId, null, false), null, 1, "Master Token")).id();
        } finally {
            granary.start();
        }
    }

    @Test
    void tableJobsStoredByAnOlderVersionStillRun(@TempDir Path tmp) throws java.io.IOException {
        Tables tables = new Tables(granary, tmp);
        granary.master().postJson("/v2/storage/buckets", java.util.Map.of("name", "legacy", "stage", "in"));
        JsonNode created = tables.create("in.c-legacy", "t", tables.upload("t.csv", "id,v\n1,a\n"), java.util.Map.of());
        assertThat(created.get("status").asText()).as(created.toString()).isEqualTo("success");
        long more = tables.upload("more.csv", "id,v\n2,b\n");

        long load = storedByAnOlderVersion("tableImport", JsonNodeFactory.instance.objectNode()
                .put("tableId", "in.c-legacy.t").put("dataFileId", more).put("incremental", "1"), "in.c-legacy.t");
        JsonNode loaded = granary.master().get("/v2/storage/jobs/" + load + "?wait=10").json();
        assertThat(loaded.get("status").asText()).as(loaded.toString()).isEqualTo("success");
        assertThat(loaded.get("results").get("totalRowsCount").asLong()).isEqualTo(2);

        long export = storedByAnOlderVersion("tableExport", JsonNodeFactory.instance.objectNode()
                .put("tableId", "in.c-legacy.t").put("changedSince", "-1 days").put("whereColumn", "id")
                .set("whereValues", JsonNodeFactory.instance.arrayNode().add("2")), "in.c-legacy.t");
        JsonNode exported = granary.master().get("/v2/storage/jobs/" + export + "?wait=10").json();
        assertThat(exported.get("status").asText()).as(exported.toString()).isEqualTo("success");
        assertThat(exported.get("operationParams").get("changedSince").asText()).isEqualTo("-1 days");
        assertThat(exported.get("results").get("file").get("id").asLong()).isPositive();
    }

    @Test
    void aStoredJobWhoseParametersCannotBeReadFailsWithAClearError() {
        long id = storedByAnOlderVersion("tableImport", JsonNodeFactory.instance.objectNode()
                .put("tableId", "in.c-legacy.none"), "in.c-legacy.none");
        JsonNode job = granary.master().get("/v2/storage/jobs/" + id + "?wait=10").json();
        assertThat(job.get("status").asText()).isEqualTo("error");
        assertThat(job.get("error").get("code").asText()).isEqualTo("storage.jobs.unreadable");
        assertThat(job.get("error").get("message").asText()).isEqualTo("Job " + id + " was stored by an older Granary,"
                + " and its parameters cannot be read any more: Invalid request:\n - dataFileId: \"This value should not"
                + " be blank.\" Submit it again.");
    }

    @Test
    void unknownJobIs404() {
        var r = granary.master().get("/v2/storage/jobs/123456");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("code").asText()).isEqualTo("storage.jobs.notFound");
        assertThat(r.json().get("error").asText()).isEqualTo("Job 123456 not found");
    }
}
