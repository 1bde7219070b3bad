package io.granary.core.job;

import io.granary.core.model.Job;

/**
 * Reads the request of a job stored by an older Granary, which kept only the client's parameters
 * ({@link Job#operationParams()}, in the form of the HTTP API). Such jobs are still queued after an upgrade,
 * or submitted by an old node during a rolling upgrade; the HTTP edge, which owns that form, reads them.
 */
@FunctionalInterface
public interface LegacyRequests {

    /** The typed request of {@code job} (of its operation's request type); throws when it cannot be read. */
    Object read(Job job);
}
