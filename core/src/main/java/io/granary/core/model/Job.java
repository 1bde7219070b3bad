package io.granary.core.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * An asynchronous Storage job. {@code operationParams} are the parameters as the client sent them (what
 * the job shows); {@code request} is what the job runs: the typed request its use case resolved at
 * submission (null for a job stored by a version that kept only the parameters). {@code lock} orders it
 * against other jobs ({@link JobLock}). {@code attempts} counts starts, so a job interrupted by a crash is
 * retried once and then failed.
 */
public record Job(
        long id,
        JobStatus status,
        String operationName,
        ObjectNode operationParams,
        ObjectNode request,
        String tableId,
        JobLock lock,
        String runId,
        long creatorTokenId,
        String creatorTokenDescription,
        Instant createdTime,
        Instant startTime,
        Instant endTime,
        ObjectNode results,
        JobError error,
        int attempts,
        long progressBytes,
        long progressRows) {

    public Job {
        lock = lock == null ? JobLock.NONE : lock;
    }
}
