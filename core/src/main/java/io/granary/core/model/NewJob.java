package io.granary.core.model;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a caller submits; the queue assigns id, status and times. */
public record NewJob(
        String operationName,
        ObjectNode operationParams,
        String tableId,
        String lockKey,
        String runId,
        long creatorTokenId,
        String creatorTokenDescription) {
}
