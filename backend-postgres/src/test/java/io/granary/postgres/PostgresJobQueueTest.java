package io.granary.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.granary.core.model.Job;
import io.granary.core.model.JobLock;
import io.granary.core.model.NewJob;
import io.granary.core.port.JobQueue;
import io.granary.core.port.JobQueueContract;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PostgresJobQueueTest extends JobQueueContract {

    private PostgresConfig config;
    private final List<PostgresDatabase> databases = new ArrayList<>();

    @Override
    protected JobQueue openQueue(Path dir) {
        config = TestPostgres.newDatabase();
        return open();
    }

    private JobQueue open() {
        PostgresDatabase db = new PostgresDatabase(config);
        databases.add(db);
        return new PostgresJobQueue(db, Clock.systemUTC(), LEASE);
    }

    @Override
    protected void closeQueue(JobQueue queue) {
        databases.forEach(PostgresDatabase::close);
    }

    /** Two nodes (two pools) with four workers each: every job runs once, one job per table at a time, in order. */
    @Test
    void twoNodesShareTheQueueWithoutRunningATableTwice() throws Exception {
        JobQueue[] nodes = {queue, open()};
        int jobs = 300;
        List<Long> submitted = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            String table = "in.c-main.t" + (i % 6);
            Job j = nodes[i % 2].submit(new NewJob("import", JsonNodeFactory.instance.objectNode(), null, table, new JobLock(table, null, false), null, 1,
                    "master"));
            submitted.add(j.id());
        }
        Map<String, AtomicInteger> runningPerTable = new ConcurrentHashMap<>();
        Map<String, List<Long>> orderPerTable = new ConcurrentHashMap<>();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        List<Long> ran = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int w = 0; w < 8; w++) {
            JobQueue node = nodes[w % 2];
            String worker = "node" + (w % 2) + "-w" + w;
            pool.submit(() -> {
                int idle = 0;
                while (idle < 100) {
                    Optional<Job> claimed = node.claimNext(worker);
                    if (claimed.isEmpty()) {
                        idle++;
                        Thread.sleep(5);
                        continue;
                    }
                    idle = 0;
                    Job j = claimed.get();
                    AtomicInteger running = runningPerTable.computeIfAbsent(j.lock().key(), k -> new AtomicInteger());
                    if (running.incrementAndGet() > 1) {
                        violations.add("two jobs of " + j.lock().key() + " at once");
                    }
                    orderPerTable.computeIfAbsent(j.lock().key(), k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(j.id());
                    ran.add(j.id());
                    Thread.sleep(1);
                    running.decrementAndGet();
                    node.succeed(j.id(), null);
                }
                return null;
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        assertThat(violations).isEmpty();
        assertThat(ran).hasSize(jobs).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(submitted);
        orderPerTable.values().forEach(ids -> assertThat(ids).isSorted());
    }

    /**
     * Workers whose poll is an hour away still start a job another node submitted at once: the submission is
     * reported to every node (LISTEN/NOTIFY), not found by polling.
     */
    @Test
    void aJobSubmittedOnAnotherNodeStartsWithoutWaitingForAPoll() throws Exception {
        java.time.Duration hour = java.time.Duration.ofHours(1);
        io.granary.core.job.JobOperation<io.granary.core.job.FileDeleteRequest> op = new io.granary.core.job.JobOperation<>(
                "fileDelete", io.granary.core.job.FileDeleteRequest.class);
        java.util.concurrent.LinkedBlockingQueue<Long> ran = new java.util.concurrent.LinkedBlockingQueue<>();
        io.granary.core.model.Token caller = new io.granary.core.model.Token(1, "master", "hash", true, true, true, true,
                Map.of(), java.time.Instant.now(), null, null, null);
        try (io.granary.core.job.JobService runner = new io.granary.core.job.JobService(queue, true, hour, "runner", hour);
                io.granary.core.job.JobService submitter = new io.granary.core.job.JobService(open(), true, hour,
                        "submitter", hour)) {
            runner.register(op, (request, job, progress) -> {
                ran.add(request.fileId());
                return JsonNodeFactory.instance.objectNode();
            });
            submitter.register(op, (request, job, progress) -> JsonNodeFactory.instance.objectNode());
            runner.start(1);
            submitter.start(0);
            // let the runner's first look at the empty queue pass: from here on only a report wakes it
            Thread.sleep(1500);
            for (long fileId = 1; fileId <= 3; fileId++) {
                submitter.submit(op, new io.granary.core.job.FileDeleteRequest(fileId), null, JobLock.file(fileId), caller,
                        new io.granary.core.job.JobOrigin(null, null));
                assertThat(ran.poll(20, TimeUnit.SECONDS)).as("job %d started", fileId).isEqualTo(fileId);
            }
        }
    }
}
