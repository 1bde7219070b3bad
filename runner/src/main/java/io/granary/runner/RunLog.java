package io.granary.runner;

/** Where the runner writes its events and the component's output (already redacted). */
@FunctionalInterface
public interface RunLog {

    enum Level { INFO, WARNING, ERROR }

    void log(Level level, String message);

    default void info(String message) {
        log(Level.INFO, message);
    }

    default void warn(String message) {
        log(Level.WARNING, message);
    }

    default void error(String message) {
        log(Level.ERROR, message);
    }

    /** stdout for info, stderr for warnings and errors. */
    RunLog CONSOLE = (level, message) -> (level == Level.INFO ? System.out : System.err).println(message);
}
