package io.granary.core.model;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a caller submits (see {@link Job} for the fields); the queue assigns id, status and times. */
public record NewJob(
        String operationName,
        ObjectNode operationParams,
        ObjectNode request,
        String tableId,
        JobLock lock,
        String runId,
        long creatorTokenId,
        String creatorTokenDescription) {

    public NewJob {
        lock = lock == null ? JobLock.NONE : lock;
    }
}
