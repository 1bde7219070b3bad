package io.granary.cli;

import sun.misc.Signal;

/**
 * SIGTERM (what service managers and container runtimes send) and SIGINT (Ctrl-C) as a request to stop, instead of
 * the JVM's default of running shutdown hooks and exiting 143: the server then drains its jobs and exits 0.
 * {@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to take over a signal.
 */
final class StopSignals {

    private StopSignals() {
    }

    /** Calls {@code onStop} on each SIGTERM or SIGINT; where a signal cannot be taken over, the JVM's default stays. */
    static void onStop(Runnable onStop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> onStop.run());
            } catch (IllegalArgumentException unsupported) {
                // not on this platform, or the JVM runs with -Xrs: shutdown hooks still stop the server
            }
        }
    }
}
