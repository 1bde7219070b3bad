package io.granary.runner;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A run stopped by SIGTERM or Ctrl-C (spec 5.6: the workspace is deleted "after a failure, a timeout or Ctrl-C too").
 * The JVM runs {@link #onSignal} as a shutdown hook, registered before anything is made for the run: it kills the
 * component's process tree, then waits while the run's own thread stops at its next step and closes its staging
 * (a workspace being created when the signal came is deleted once Storage has answered). The JVM exits when the hook
 * returns, so the hook returns only when the run has ended, or after {@link #GRACE}, having closed the staging itself.
 */
final class RunStop {

    static final String MESSAGE = "The run was stopped by a signal (SIGTERM or Ctrl-C): the component was killed and no"
            + " further output is written.";

    /** How long the hook waits for the run's thread before it closes the staging itself. */
    static final Duration GRACE = Duration.ofSeconds(60);

    private final CountDownLatch finished = new CountDownLatch(1);
    private boolean requested;
    private Process component;
    private volatile Staging staging;
    private volatile RunLog log;

    RunStop(RunLog log) {
        this.log = log;
    }

    /** The log the hook writes to (the run's, which hides its secrets, once there is one). */
    void log(RunLog log) {
        this.log = log;
    }

    /** The staging of the run, closed by the hook when the run's thread does not end in time. */
    void staging(Staging staging) {
        this.staging = staging;
    }

    synchronized boolean requested() {
        return requested;
    }

    /** Between steps of the run: stops it when a signal came. */
    void check() {
        if (requested()) {
            throw new ApplicationException(MESSAGE);
        }
    }

    /** The component has started; false (and it is killed) when the run was stopped meanwhile. */
    boolean started(Process p) {
        synchronized (this) {
            if (!requested) {
                component = p;
                return true;
            }
        }
        ComponentProcess.killTree(p);
        return false;
    }

    synchronized void exited() {
        component = null;
    }

    /** The run's thread is done, its staging closed. */
    void finished() {
        finished.countDown();
    }

    /** The shutdown hook. */
    void onSignal() {
        Process p;
        synchronized (this) {
            if (finished.getCount() == 0) {
                return;
            }
            requested = true;
            p = component;
        }
        log.error("Stopping the run (SIGTERM or Ctrl-C)" + (p == null ? "." : ": killing the component."));
        if (p != null) {
            ComponentProcess.killTree(p);
        }
        try {
            if (finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Staging s = staging;
        if (s != null) {
            s.close();
        }
    }
}
