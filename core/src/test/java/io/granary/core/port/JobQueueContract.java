package io.granary.core.port;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.model.Job;
import io.granary.core.model.JobError;
import io.granary.core.model.JobLock;
import io.granary.core.model.JobStatus;
import io.granary.core.model.NewJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link JobQueue} implementation must do. Subclasses open a fresh, empty queue. */
public abstract class JobQueueContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    protected Path dir;

    protected JobQueue queue;

    /** The lease every queue under test is opened with: long enough for the other tests, short to wait out. */
    protected static final java.time.Duration LEASE = java.time.Duration.ofSeconds(1);

    /** A fresh queue whose claims hold {@link #LEASE}. */
    protected abstract JobQueue openQueue(Path dir);

    protected abstract void closeQueue(JobQueue queue);

    @BeforeEach
    void open() {
        queue = openQueue(dir);
    }

    @AfterEach
    void close() {
        closeQueue(queue);
    }

    private Job submit(String op, String lockKey) {
        ObjectNode params = JSON.createObjectNode().put("op", op);
        return queue.submit(new NewJob(op, params, null, lockKey, new JobLock(lockKey, null, false), "run-7", 1, "master"));
    }

    @Test
    void submittedJobWaitsWithParams() {
        Job j = submit("fileDelete", null);
        assertThat(j.id()).isPositive();
        assertThat(j.status()).isEqualTo(JobStatus.WAITING);
        assertThat(j.operationParams().get("op").asText()).isEqualTo("fileDelete");
        assertThat(j.runId()).isEqualTo("run-7");
        assertThat(j.createdTime()).isNotNull();
        assertThat(j.startTime()).isNull();
        assertThat(queue.find(j.id())).contains(j);
        assertThat(queue.find(j.id() + 1000)).isEmpty();
    }

    @Test
    void theRequestAndTheLockComeBackAsSubmitted() {
        ObjectNode request = JSON.createObjectNode().put("tableId", "in.c-main.t");
        request.putObject("selection").put("changedSince", "2024-01-01T10:00:00Z");
        ObjectNode shown = JSON.createObjectNode().put("changedSince", "-1 days");
        Job j = queue.submit(new NewJob("tableExport", shown, request, "in.c-main.t",
                new JobLock("in.c-main.t", "in.c-main", false), null, 3, "reader"));
        Job found = queue.find(j.id()).orElseThrow();
        assertThat(found.operationParams()).isEqualTo(shown);
        assertThat(found.request()).isEqualTo(request);
        assertThat(found.lock()).isEqualTo(new JobLock("in.c-main.t", "in.c-main", false));
        assertThat(found.tableId()).isEqualTo("in.c-main.t");
        assertThat(found.creatorTokenId()).isEqualTo(3);

        // a job stored without a request (an older version's) reads back with none
        Job legacy = queue.submit(new NewJob("fileDelete", shown, null, null, JobLock.NONE, null, 1, "master"));
        assertThat(queue.find(legacy.id()).orElseThrow().request()).isNull();
        assertThat(queue.find(legacy.id()).orElseThrow().lock()).isEqualTo(JobLock.NONE);
    }

    @Test
    void aJobHoldingItsWholeGroupRunsAloneInTheGroupInSubmissionOrder() {
        Job tableA = lockedIn("a", new JobLock("in.c-b.a", "in.c-b", false));
        Job tableB = lockedIn("b", new JobLock("in.c-b.b", "in.c-b", false));
        Job bucket = lockedIn("bucket", JobLock.bucket("in.c-b"));
        Job afterBucket = lockedIn("c", new JobLock("in.c-b.c", "in.c-b", false));
        Job otherBucket = lockedIn("x", new JobLock("in.c-x.t", "in.c-x", false));
        // tables of the group run side by side; the bucket job waits for both, and what comes after it waits too
        assertThat(queue.claimNext("w").orElseThrow().id()).isEqualTo(tableA.id());
        assertThat(queue.claimNext("w").orElseThrow().id()).isEqualTo(tableB.id());
        assertThat(queue.claimNext("w").orElseThrow().id()).isEqualTo(otherBucket.id());
        assertThat(queue.claimNext("w")).isEmpty();
        queue.succeed(tableA.id(), null);
        assertThat(queue.claimNext("w")).isEmpty();
        queue.succeed(tableB.id(), null);
        assertThat(queue.claimNext("w").orElseThrow().id()).isEqualTo(bucket.id());
        assertThat(queue.claimNext("w")).as("nothing of the group runs beside the bucket job").isEmpty();
        queue.fail(bucket.id(), new JobError("x", "failed", "exc"), null);
        assertThat(queue.claimNext("w").orElseThrow().id()).isEqualTo(afterBucket.id());
    }

    private Job lockedIn(String op, JobLock lock) {
        return queue.submit(new NewJob(op, JSON.createObjectNode(), JSON.createObjectNode(), lock.key(), lock, null, 1,
                "master"));
    }

    @Test
    void claimsOldestFirstAndRecordsOutcome() {
        Job a = submit("a", null);
        Job b = submit("b", null);
        Job claimed = queue.claimNext("w1").orElseThrow();
        assertThat(claimed.id()).isEqualTo(a.id());
        assertThat(claimed.status()).isEqualTo(JobStatus.PROCESSING);
        assertThat(claimed.attempts()).isEqualTo(1);
        assertThat(claimed.startTime()).isNotNull();
        queue.succeed(a.id(), JSON.createObjectNode().put("ok", true));
        Job done = queue.find(a.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCESS);
        assertThat(done.results().get("ok").asBoolean()).isTrue();
        assertThat(done.endTime()).isNotNull();

        assertThat(queue.claimNext("w1").orElseThrow().id()).isEqualTo(b.id());
        queue.fail(b.id(), new JobError("csvImport.columnsNotMatch", "Missing columns: a", "exc-1"),
                JSON.createObjectNode().putPOJO("missingColumns", List.of("a")));
        Job failed = queue.find(b.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.ERROR);
        assertThat(failed.error()).isEqualTo(new JobError("csvImport.columnsNotMatch", "Missing columns: a", "exc-1"));
        assertThat(failed.results().get("missingColumns").get(0).asText()).isEqualTo("a");
        assertThat(queue.claimNext("w1")).isEmpty();
    }

    @Test
    void oneRunningJobPerLockKeyInSubmissionOrder() {
        Job t1a = submit("import", "in.c-main.t1");
        Job t1b = submit("import", "in.c-main.t1");
        Job t2 = submit("import", "in.c-main.t2");
        assertThat(queue.claimNext("w").orElseThrow().id()).isEqualTo(t1a.id());
        // t1b must wait for t1a; t2 may run
        assertThat(queue.claimNext("w").orElseThrow().id()).isEqualTo(t2.id());
        assertThat(queue.claimNext("w")).isEmpty();
        queue.succeed(t1a.id(), null);
        assertThat(queue.claimNext("w").orElseThrow().id()).isEqualTo(t1b.id());
    }

    @Test
    void concurrentWorkersNeverClaimTheSameJob() throws Exception {
        int jobs = 200;
        for (int i = 0; i < jobs; i++) {
            submit("op", i % 3 == 0 ? null : "t" + (i % 5));
        }
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        List<Long> duplicates = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int w = 0; w < 4; w++) {
            String worker = "w" + w;
            pool.submit(() -> {
                int idle = 0;
                while (idle < 50) {
                    Optional<Job> j = queue.claimNext(worker);
                    if (j.isEmpty()) {
                        idle++;
                        Thread.sleep(2);
                        continue;
                    }
                    idle = 0;
                    if (!seen.add(j.get().id())) {
                        duplicates.add(j.get().id());
                    }
                    queue.succeed(j.get().id(), null);
                }
                return null;
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(duplicates).isEmpty();
        assertThat(seen).hasSize(jobs);
    }

    @Test
    void recoveryRequeuesOnceThenFails() {
        Job j = submit("import", "t");
        queue.claimNext("w");
        JobError interrupted = new JobError("storage.jobs.interrupted", "interrupted", "exc");
        assertThat(queue.recoverInterrupted(2, interrupted)).isEqualTo(1);
        Job back = queue.find(j.id()).orElseThrow();
        assertThat(back.status()).isEqualTo(JobStatus.WAITING);
        assertThat(queue.claimNext("w").orElseThrow().attempts()).isEqualTo(2);
        assertThat(queue.recoverInterrupted(2, interrupted)).isEqualTo(1);
        Job failed = queue.find(j.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.ERROR);
        assertThat(failed.error().message()).isEqualTo("interrupted");
    }

    @Test
    void aReleasedJobWaitsAsIfNeverClaimedAndKeepsItsPlace() {
        Job j = submit("import", "t");
        Job later = submit("import", "t");
        queue.claimNext("stopping-node");
        queue.progress(j.id(), 100, 10);
        assertThat(queue.release(j.id())).isTrue();
        Job back = queue.find(j.id()).orElseThrow();
        assertThat(back.status()).isEqualTo(JobStatus.WAITING);
        assertThat(back.startTime()).isNull();
        assertThat(back.attempts()).as("a hand-back is not a failed start").isZero();
        assertThat(back.progressBytes()).isZero();
        assertThat(back.progressRows()).isZero();
        // released again or once finished: nothing to hand back
        assertThat(queue.release(j.id())).isFalse();
        Job again = queue.claimNext("other-node").orElseThrow();
        assertThat(again.id()).as("it runs before the later job on its table").isEqualTo(j.id());
        assertThat(again.attempts()).isEqualTo(1);
        queue.succeed(j.id(), null);
        assertThat(queue.release(j.id())).isFalse();
        assertThat(queue.find(j.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
        assertThat(queue.claimNext("other-node").orElseThrow().id()).isEqualTo(later.id());
    }

    @Test
    void listsNewestFirst() {
        Job a = submit("a", null);
        Job b = submit("b", null);
        Job c = submit("c", null);
        assertThat(queue.list(2, 0)).extracting(Job::id).containsExactly(c.id(), b.id());
        assertThat(queue.list(2, 2)).extracting(Job::id).containsExactly(a.id());
    }

    @Test
    void anExpiredLeaseIsRequeuedOnceThenFailed() throws Exception {
        Job j = submit("import", "t");
        Job later = submit("import", "t");
        queue.claimNext("dead-node");
        JobError interrupted = new JobError("storage.jobs.interrupted", "interrupted", "exc");
        assertThat(queue.recoverExpired(2, interrupted)).isZero();
        Thread.sleep(LEASE.toMillis() + 300);
        assertThat(queue.recoverExpired(2, interrupted)).isEqualTo(1);
        Job back = queue.find(j.id()).orElseThrow();
        assertThat(back.status()).isEqualTo(JobStatus.WAITING);
        // the requeued job keeps its place ahead of the later job on the same table
        Job again = queue.claimNext("live-node").orElseThrow();
        assertThat(again.id()).isEqualTo(j.id());
        assertThat(again.attempts()).isEqualTo(2);
        Thread.sleep(LEASE.toMillis() + 300);
        assertThat(queue.recoverExpired(2, interrupted)).isEqualTo(1);
        Job failed = queue.find(j.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.ERROR);
        assertThat(failed.error()).isEqualTo(interrupted);
        assertThat(queue.claimNext("live-node").orElseThrow().id()).isEqualTo(later.id());
    }

    @Test
    void aRenewedLeaseIsNotRecovered() throws Exception {
        Job running = submit("import", "a");
        Job abandoned = submit("import", "b");
        queue.claimNext("w");
        queue.claimNext("w");
        JobError interrupted = new JobError("storage.jobs.interrupted", "interrupted", "exc");
        long until = System.nanoTime() + (LEASE.toNanos() * 2);
        while (System.nanoTime() < until) {
            queue.renewLeases(List.of(running.id()));
            Thread.sleep(LEASE.toMillis() / 4);
        }
        assertThat(queue.recoverExpired(2, interrupted)).isEqualTo(1);
        assertThat(queue.find(running.id()).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
        assertThat(queue.find(abandoned.id()).orElseThrow().status()).isEqualTo(JobStatus.WAITING);
        // renewing a finished job changes nothing
        queue.succeed(running.id(), null);
        queue.renewLeases(List.of(running.id()));
        assertThat(queue.find(running.id()).orElseThrow().status()).isEqualTo(JobStatus.SUCCESS);
    }
}
