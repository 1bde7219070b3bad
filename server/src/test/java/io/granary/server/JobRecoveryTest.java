package io.granary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.granary.core.model.Job;
import io.granary.core.model.NewJob;
import io.granary.duckdb.DuckDbDatabase;
import io.granary.duckdb.DuckDbJobQueue;
import io.granary.server.routes.FileRoutes;
import io.granary.server.support.EmbeddedGranary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A job left in processing by a dead server is retried once on the next start, then failed: never stuck. */
class JobRecoveryTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();

    private long processingJob(int priorStarts) {
        try (DuckDbDatabase db = new DuckDbDatabase(granary.dataDir().resolve("catalog.duckdb"));
                DuckDbJobQueue queue = new DuckDbJobQueue(db)) {
            Job job = queue.submit(new NewJob(FileRoutes.DELETE_OPERATION,
                    JsonNodeFactory.instance.objectNode().put("fileId", 999_999), null, null, null, 1, "Master Token"));
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

    @Test
    void unknownJobIs404() {
        var r = granary.master().get("/v2/storage/jobs/123456");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("code").asText()).isEqualTo("storage.jobs.notFound");
        assertThat(r.json().get("error").asText()).isEqualTo("Job 123456 not found");
    }
}
