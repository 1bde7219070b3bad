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
import io.granary.core.model.JobStatus;
import io.granary.core.model.Token;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stopping on purpose ({@link JobService#drain}) on a real queue: submissions are refused with 503, a job
 * that finishes within the grace is recorded as usual, one that does not is interrupted and handed back — waiting,
 * no start time, its attempt taken back — and a waiting caller is told so.
 */
class JobDrainTest {

    private static final Token CALLER = new Token(1, "master", "hash", true, true, true, true, Map.of(), Instant.now(),
            null, null, null);
    private static final JobOperation<FileDeleteRequest> OP = new JobOperation<>("fileDelete", FileDeleteRequest.class);

    @TempDir
    Path dir;

    private SqliteDatabase database;
    private SqliteJobQueue queue;
    private JobService jobs;
    private final CountDownLatch started = new CountDownLatch(1);

    @BeforeEach
    void open() {
        database = new SqliteDatabase(dir.resolve("catalog.sqlite"));
        queue = new SqliteJobQueue(database);
        jobs = new JobService(queue);
        // fileId = how long the job takes, in ms; it notices an interrupt as a load between its batches does
        jobs.register(OP, (request, job, progress) -> {
            started.countDown();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(request.fileId());
            while (System.nanoTime() < until) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new GranaryException(ErrorCode.JOB_INTERRUPTED, "The load was interrupted; the table is unchanged.");
                }
                Thread.onSpinWait();
            }
            return JsonNodeFactory.instance.objectNode().put("done", request.fileId());
        });
        jobs.start(1);
    }

    @AfterEach
    void close() {
        jobs.close();
        database.close();
    }

    private Job submit(long millis) {
        return jobs.submit(OP, new FileDeleteRequest(millis), null, JobLock.NONE, CALLER, new JobOrigin(null, null));
    }

    @Test
    void aJobThatFinishesWithinTheGraceSucceedsAndNewJobsAreRefused() throws Exception {
        Job job = submit(300);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(jobs.drain(Duration.ofSeconds(20))).isZero();
        Job done = queue.find(job.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
        assertThat(done.results().get("done").asLong()).isEqualTo(300);

        assertThatThrownBy(() -> submit(1)).isInstanceOfSatisfying(GranaryException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.MAINTENANCE);
            assertThat(e.errorCode().status()).isEqualTo(503);
            assertThat(e.getMessage()).isEqualTo("The server is stopping and accepts no new jobs. Retry in a moment"
                    + " (on another node, or after the restart).");
            // what is left of the grace, at least 5 s
            assertThat((Long) e.details().get(JobService.RETRY_AFTER)).isBetween(5L, 20L);
        });
        assertThat(queue.list(10, 0)).hasSize(1);
    }

    @Test
    void aJobOverTheGraceIsHandedBackAsIfNeverStartedAndItsWaiterIsTold() throws Exception {
        Job job = submit(60_000);
        Job queued = submit(1);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        Thread waiter = new Thread(() -> {
            try {
                jobs.finish(CALLER, job, Duration.ofMinutes(1));
            } catch (GranaryException e) {
                waiterError = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        long t0 = System.nanoTime();
        assertThat(jobs.drain(Duration.ofMillis(300))).isEqualTo(1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("drain time (ms)").isLessThan(10_000);

        Job back = queue.find(job.id()).orElseThrow();
        assertThat(back.status()).isEqualTo(JobStatus.WAITING);
        assertThat(back.startTime()).isNull();
        assertThat(back.endTime()).isNull();
        assertThat(back.error()).isNull();
        assertThat(back.attempts()).isZero();
        assertThat(queue.find(queued.id()).orElseThrow().status()).as("not started by a draining node")
                .isEqualTo(JobStatus.WAITING);
        waiter.join(10_000);
        assertThat(waiterError).isNotNull();
        assertThat(waiterError.errorCode()).isEqualTo(ErrorCode.MAINTENANCE);
        assertThat(waiterError.getMessage()).isEqualTo("The server stopped before job " + job.id() + " finished; it was"
                + " handed back and runs again after the restart (or on another node): see /v2/storage/jobs/" + job.id()
                + ".");
    }

    private volatile GranaryException waiterError;
}
