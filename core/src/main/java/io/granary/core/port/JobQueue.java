package io.granary.core.port;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.model.Job;
import io.granary.core.model.JobError;
import io.granary.core.model.NewJob;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The persistent job table. Guarantees a caller may rely on: ids increase with submission; a job is
 * handed out by {@link #claimNext} to one worker only; a job is not handed out while another job it
 * conflicts with is {@code processing} or, submitted earlier, still {@code waiting} (FIFO per conflict).
 * Two jobs conflict when their {@link io.granary.core.model.JobLock} keys are equal, or when they share a
 * lock group and one of them holds the whole group. The job's {@code operationParams} and {@code request}
 * come back exactly as submitted.
 * <p>
 * A claimed job holds a lease of a length fixed when the queue is opened. The node running it renews
 * the lease ({@link #renewLeases}); a job whose lease ran out belongs to a node that died, and
 * {@link #recoverExpired} gives it to another node.
 */
public interface JobQueue {

    /** Stores a new job as {@code waiting} and returns it with id and created time. */
    Job submit(NewJob job);

    /**
     * Atomically takes the oldest runnable waiting job, marks it {@code processing} with a start
     * time, attempts + 1 and a fresh lease, and returns it; empty when none is runnable.
     */
    Optional<Job> claimNext(String workerId);

    /** Extends the lease of each listed job that is still {@code processing}; others are ignored. */
    void renewLeases(Collection<Long> ids);

    /** Marks a processing job {@code success} with its results. */
    void succeed(long id, ObjectNode results);

    /** Marks a job {@code error}; {@code results} may carry details (e.g. missing columns). */
    void fail(long id, JobError error, ObjectNode results);

    /**
     * Hands a {@code processing} job back to {@code waiting}, as if it had never been claimed: no start time,
     * worker or lease, no progress, and the claim's attempt taken back (a node stopping on purpose is not a
     * failed start). It keeps its id, so it stays first in its lock key's order, and any node may claim it at
     * once. Returns false when the job was not {@code processing}.
     */
    boolean release(long id);

    /** Records progress of a running job (best effort). */
    void progress(long id, long bytes, long rows);

    Optional<Job> find(long id);

    /** Jobs newest first. */
    List<Job> list(int limit, int offset);

    /** How many jobs wait to be claimed (on a shared queue: by any node). */
    int countWaiting();

    /**
     * Called at start-up of a single node: every job left {@code processing} is put back to
     * {@code waiting} if it has been started fewer than {@code maxAttempts} times, otherwise failed with
     * {@code error}. Returns the number of jobs touched.
     */
    int recoverInterrupted(int maxAttempts, JobError error);

    /**
     * Safe to call from any node at any time: every {@code processing} job whose lease has run out is put
     * back to {@code waiting} (keeping its id, so it stays first in its lock key's order) if it has been
     * started fewer than {@code maxAttempts} times, otherwise failed with {@code error}. Returns the number
     * of jobs touched.
     */
    int recoverExpired(int maxAttempts, JobError error);

    /**
     * Calls {@code onSubmitted} (on a thread of the queue's) whenever a job may have been submitted by another
     * process, so idle workers start it at once instead of at their next poll. A queue only one process uses has
     * nothing to report (the default). Best effort: a report may be late or missing, and workers still poll. The
     * returned handle stops the watching.
     */
    default AutoCloseable watchSubmissions(Runnable onSubmitted) {
        return () -> { };
    }
}
