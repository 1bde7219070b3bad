package io.granary.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.FileDeleteRequest;
import io.granary.core.job.JobOperation;
import io.granary.core.job.JobOrigin;
import io.granary.core.job.JobService;
import io.granary.core.model.Job;
import io.granary.core.model.JobLock;
import io.granary.core.model.NewJob;
import io.granary.core.model.Token;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job protocol on a real queue: a worker runs exactly the accepted request; a waiting call gets the job's own outcome. */
class JobServiceTest {

    private static final Token CALLER = new Token(1, "master", "hash", true, true, true, true, Map.of(), Instant.now(),
            null, null, null);
    private static final JobOperation<FileDeleteRequest> OP = new JobOperation<>("fileDelete", FileDeleteRequest.class);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private SqliteDatabase database;
    private SqliteJobQueue queue;
    private JobService jobs;

    @BeforeEach
    void open() {
        database = new SqliteDatabase(dir.resolve("catalog.sqlite"));
        queue = new SqliteJobQueue(database);
        jobs = new JobService(queue);
    }

    @AfterEach
    void close() {
        jobs.close();
        database.close();
    }

    private Job submit(long fileId) {
        return jobs.submit(OP, new FileDeleteRequest(fileId), null, JobLock.file(fileId), CALLER,
                new JobOrigin("run-1", JsonNodeFactory.instance.objectNode().put("fileId", "as sent")));
    }

    @Test
    void theHandlerRunsTheAcceptedRequestAndTheJobShowsWhatWasSent() throws Exception {
        AtomicReference<FileDeleteRequest> ran = new AtomicReference<>();
        jobs.register(OP, (request, job, progress) -> {
            ran.set(request);
            return JsonNodeFactory.instance.objectNode().put("done", request.fileId());
        });
        jobs.start(1);
        Job job = submit(42);
        assertThat(jobs.finish(CALLER, job, WAIT).get("done").asLong()).isEqualTo(42);
        assertThat(ran.get()).isEqualTo(new FileDeleteRequest(42));
        Job done = queue.find(job.id()).orElseThrow();
        assertThat(done.operationParams().get("fileId").asText()).isEqualTo("as sent");
        assertThat(done.runId()).isEqualTo("run-1");
        assertThat(done.lock()).isEqualTo(JobLock.file(42));
    }

    @Test
    void aWaitingCallGetsTheJobsOwnErrorWithItsStatusAndExceptionId() {
        jobs.register(OP, (request, job, progress) -> {
            if (request.fileId() == 1) {
                throw new GranaryException(ErrorCode.TABLES_NOT_FOUND, "The table \"t\" was not found.");
            }
            throw new IllegalStateException("disk on fire");
        });
        jobs.start(1);

        Job user = submit(1);
        assertThatThrownBy(() -> jobs.finish(CALLER, user, WAIT)).isInstanceOfSatisfying(GranaryException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.TABLES_NOT_FOUND);
            assertThat(e.errorCode().status()).isEqualTo(404);
            assertThat(e.exceptionId()).isEqualTo(queue.find(user.id()).orElseThrow().error().exceptionId());
        }).hasMessage("The table \"t\" was not found.");

        Job internal = submit(2);
        assertThatThrownBy(() -> jobs.finish(CALLER, internal, WAIT)).isInstanceOfSatisfying(GranaryException.class, e -> {
            String exceptionId = queue.find(internal.id()).orElseThrow().error().exceptionId();
            assertThat(e.errorCode()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(e.errorCode().status()).isEqualTo(500);
            assertThat(e.exceptionId()).isEqualTo(exceptionId);
            assertThat(e.getMessage()).isEqualTo("Internal error. Contact the administrator with exception id "
                    + exceptionId + ".");
        });
    }

    @Test
    void aJobStoredWithoutItsRequestFailsClearlyWhenNoReaderKnowsItsForm() throws Exception {
        jobs.register(OP, (request, job, progress) -> JsonNodeFactory.instance.objectNode());
        Job legacy = queue.submit(new NewJob("fileDelete", JsonNodeFactory.instance.objectNode().put("fileId", 3), null,
                null, JobLock.NONE, null, 1, "master"));
        jobs.start(1);
        Job done = jobs.await(CALLER, legacy.id(), WAIT);
        assertThat(done.error().code()).isEqualTo("storage.jobs.unreadable");
        assertThat(done.error().message()).isEqualTo("Job " + legacy.id() + " was stored by an older Granary without its"
                + " typed request, and this node cannot read its parameters. Submit it again.");

        jobs.readLegacyRequestsWith(job -> new FileDeleteRequest(job.operationParams().get("fileId").asLong()));
        Job readable = queue.submit(new NewJob("fileDelete", JsonNodeFactory.instance.objectNode().put("fileId", 4), null,
                null, JobLock.NONE, null, 1, "master"));
        assertThat(jobs.await(CALLER, readable.id(), WAIT).status().wire()).isEqualTo("success");
    }

    /** A submitted job starts at once, never at the next poll: here the poll is an hour away. */
    @Test
    void submittedJobsStartWithoutWaitingForAPoll() throws Exception {
        jobs.close();
        jobs = new JobService(queue, false, Duration.ofSeconds(60), "node", Duration.ofHours(1));
        jobs.register(OP, (request, job, progress) -> JsonNodeFactory.instance.objectNode().put("done", request.fileId()));
        jobs.start(2);
        for (long id = 1; id <= 50; id++) {
            assertThat(jobs.finish(CALLER, submit(id), WAIT).get("done").asLong()).isEqualTo(id);
        }
    }
}
