package io.granary.core.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * An asynchronous Storage job. {@code lockKey} serialises jobs: two jobs with the same non-null
 * lock key (a table id) never run at once and run in submission order. {@code attempts} counts
 * starts, so a job interrupted by a crash is retried once and then failed.
 */
public record Job(
        long id,
        JobStatus status,
        String operationName,
        ObjectNode operationParams,
        String tableId,
        String lockKey,
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
}
