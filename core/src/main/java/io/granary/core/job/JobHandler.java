package io.granary.core.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.core.model.Job;

/**
 * Runs one kind of job ({@link JobOperation}) from the request accepted at submission. A handler returns
 * the job's {@code results} or throws: a {@link io.granary.core.error.GranaryException} becomes the job's
 * error as it is (its details become results), anything else an internal error. A handler must leave
 * nothing half done when it throws, and must be safe to run again for the same job after a crash.
 */
@FunctionalInterface
public interface JobHandler<R> {

    ObjectNode run(R request, Job job, JobProgress progress) throws Exception;
}
