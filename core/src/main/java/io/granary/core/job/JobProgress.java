package io.granary.core.job;

/** Lets a running job report how far it got (shown on the job while it runs). */
@FunctionalInterface
public interface JobProgress {

    void report(long bytes, long rows);
}
