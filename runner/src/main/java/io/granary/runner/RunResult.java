package io.granary.runner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of a run.
 *
 * @param exitCode 0 success, 1 user error, 2 application error (the convention of spec 1.5 / 8.6)
 * @param message  null on success, else the (redacted) error message
 */
public record RunResult(int exitCode, String message, List<String> tables, List<Long> files, Path dataDir,
        Duration duration) {

    public boolean success() {
        return exitCode == 0;
    }

    public boolean userError() {
        return exitCode == 1;
    }

    public String summary() {
        String status = exitCode == 0 ? "Success" : exitCode == 1 ? "User error" : "Application error";
        return status + " in " + duration.toMillis() + " ms: " + tables.size() + " table(s), " + files.size()
                + " file(s) written" + (message == null ? "." : ". " + message);
    }
}
