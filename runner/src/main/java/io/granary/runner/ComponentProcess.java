package io.granary.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the component as a child process in the data folder (spec 1.5): stdout and stderr are streamed line by line
 * into the log, secrets redacted; exit 0 = success, 1 = user error, anything else = application error; on timeout
 * the whole process tree is killed.
 */
public final class ComponentProcess {

    static final int MESSAGE_LIMIT = 4000;

    private final List<String> command;
    private final DataFolder folder;
    private final Map<String, String> env;
    private final Duration timeout;
    private final String componentId;
    private RunStop stop;

    public ComponentProcess(List<String> command, DataFolder folder, Map<String, String> env, Duration timeout,
            String componentId) {
        if (command == null || command.isEmpty()) {
            throw new UserException("No component command given.");
        }
        this.command = List.copyOf(command);
        this.folder = folder;
        this.env = Map.copyOf(env);
        this.timeout = timeout;
        this.componentId = componentId;
    }

    /** A stop by signal kills this component (and its children) and ends {@link #run} with {@link RunStop#MESSAGE}. */
    ComponentProcess stoppedBy(RunStop stop) {
        this.stop = stop;
        return this;
    }

    /**
     * Runs to the end; returns normally on exit 0.
     *
     * @throws UserException exit 1 (message = stderr, else stdout, else {@code No error message.}) or timeout
     * @throws ApplicationException any other exit code
     */
    public void run(RunLog log, SecretFilter secrets) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(folder.root().toFile());
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UserException("Cannot start the component " + command + ": " + e.getMessage(), e);
        }
        if (stop != null && !stop.started(p)) {
            throw new ApplicationException(RunStop.MESSAGE);
        }
        try {
            run(p, log, secrets);
        } finally {
            if (stop != null) {
                stop.exited();
            }
        }
    }

    private void run(Process p, RunLog log, SecretFilter secrets) {
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // nothing to write anyway
        }
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        Thread outPump = pump(p.getInputStream(), out, line -> log.info(secrets.filter(line)));
        Thread errPump = pump(p.getErrorStream(), err, line -> log.error(secrets.filter(line)));
        long start = System.nanoTime();
        boolean finished;
        try {
            if (timeout == null) {
                p.waitFor();
                finished = true;
            } else {
                finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            throw new ApplicationException("Interrupted while running the component.", e);
        }
        if (!finished) {
            killTree(p);
            join(outPump);
            join(errPump);
            throw new UserException("Running " + componentId + " container exceeded the timeout of "
                    + timeout.toSeconds() + " seconds.");
        }
        join(outPump);
        join(errPump);
        if (stop != null && stop.requested()) {
            throw new ApplicationException(RunStop.MESSAGE); // killed by the stop, whatever its exit code says
        }
        int code = p.exitValue();
        if (code == 0) {
            return;
        }
        String message;
        synchronized (err) {
            message = err.length() > 0 ? err.toString().strip() : null;
        }
        if (message == null || message.isEmpty()) {
            synchronized (out) {
                message = out.length() > 0 ? out.toString().strip() : "No error message.";
            }
        }
        message = secrets.filter(truncate(message));
        if (code == 1) {
            throw new UserException(message);
        }
        if ((code == 137 || code == 125) && timeout != null && System.nanoTime() - start >= timeout.toNanos()) {
            throw new UserException("Running " + componentId + " container exceeded the timeout of "
                    + timeout.toSeconds() + " seconds.");
        }
        throw new ApplicationException(componentId + " container '" + p.pid() + "' failed: (" + code + ") " + message);
    }

    /** First half + {@code " ... "} + last half when longer than 4000 chars (spec 1.5). */
    static String truncate(String s) {
        if (s.length() <= MESSAGE_LIMIT) {
            return s;
        }
        int half = MESSAGE_LIMIT / 2;
        return s.substring(0, half) + " ... " + s.substring(s.length() - half);
    }

    private static Thread pump(InputStream in, StringBuilder sink, java.util.function.Consumer<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (sink) {
                        if (sink.length() < 1_000_000) {
                            sink.append(line).append('\n');
                        }
                    }
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the process was killed: its pipe is gone
            }
        }, "component-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills {@code p} and every process under it (children first, so none is left behind re-parented). */
    static void killTree(Process p) {
        java.util.List<ProcessHandle> tree = p.descendants().toList();
        tree.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        p.descendants().forEach(ProcessHandle::destroyForcibly);
    }
}
