package io.granary.core.job;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a submission comes from: the run id it belongs to (null when none) and the parameters as the client
 * sent them, which the job shows as {@code operationParams}. The job runs its typed request, never these.
 */
public record JobOrigin(String runId, ObjectNode clientParams) {
}
