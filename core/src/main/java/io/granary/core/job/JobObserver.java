package io.granary.core.job;

import io.granary.core.model.Job;

/**
 * Told when this node's workers start and end a job (metrics). Called on the worker thread: keep it quick and never
 * throw.
 */
public interface JobObserver {

    /** How a job ended: it succeeded, failed (its error is on the job), or was cut off by a server stop. */
    enum Outcome { SUCCESS, ERROR, INTERRUPTED }

    JobObserver NONE = new JobObserver() {
        @Override
        public void started(Job job) {
        }

        @Override
        public void finished(Job job, Outcome outcome, long nanos, long bytes, long rows) {
        }
    };

    void started(Job job);

    /** {@code bytes} and {@code rows} are the job's last progress report (0 when it reported none). */
    void finished(Job job, Outcome outcome, long nanos, long bytes, long rows);
}
