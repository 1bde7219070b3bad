package io.granary.core.port;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.model.Job;
import io.granary.core.model.JobError;
import io.granary.core.model.NewJob;
import java.util.List;
import java.util.Optional;

/**
 * The persistent job table. Guarantees a caller may rely on: ids increase with submission; a job is
 * handed out by {@link #claimNext} to one worker only; a job whose lock key has another job in
 * {@code processing}, or an older job still {@code waiting}, is not handed out (per-key FIFO).
 */
public interface JobQueue {

    /** Stores a new job as {@code waiting} and returns it with id and created time. */
    Job submit(NewJob job);

    /**
     * Atomically takes the oldest runnable waiting job, marks it {@code processing} with a start
     * time and attempts + 1, and returns it; empty when none is runnable.
     */
    Optional<Job> claimNext(String workerId);

    /** Marks a processing job {@code success} with its results. */
    void succeed(long id, ObjectNode results);

    /** Marks a job {@code error}; {@code results} may carry details (e.g. missing columns). */
    void fail(long id, JobError error, ObjectNode results);

    /** Records progress of a running job (best effort). */
    void progress(long id, long bytes, long rows);

    Optional<Job> find(long id);

    /** Jobs newest first. */
    List<Job> list(int limit, int offset);

    /**
     * Called at start-up of a single node: every job left {@code processing} is put back to
     * {@code waiting} if it has been started fewer than {@code maxAttempts} times, otherwise failed with
     * {@code error}. Returns the number of jobs touched.
     */
    int recoverInterrupted(int maxAttempts, JobError error);
}
