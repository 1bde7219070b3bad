package io.granary.cli;

import io.granary.client.ProgressListener;
import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Transfer progress on stderr: a bar with bytes, rate and ETA on a terminal, a plain line every few
 * seconds otherwise, nothing with {@code --quiet}.
 */
final class Progress implements ProgressListener, AutoCloseable {

    private static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;

    private final String task;
    private final boolean quiet;
    private final boolean terminal = System.console() != null;
    private final PrintStream err = System.err;
    private ProgressBar bar;
    private long lastPlain;
    private long lastDone;
    private long lastTotal = -1;
    private String lastPrinted;
    private boolean closed;

    Progress(String task, boolean quiet) {
        this.task = task;
        this.quiet = quiet;
    }

    @Override
    public synchronized void progress(long bytesDone, long bytesTotal) {
        lastDone = bytesDone;
        lastTotal = bytesTotal;
        if (quiet) {
            return;
        }
        if (terminal) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(bytesTotal, 0))
                        .setStyle(ProgressBarStyle.ASCII).setUnit(" MiB", 1 << 20).showSpeed().setConsumer(
                                new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(err)).build();
            }
            if (bytesTotal > 0) {
                bar.maxHint(bytesTotal);
            }
            bar.stepTo(bytesDone);
            return;
        }
        long now = System.nanoTime();
        if (now - lastPlain >= PLAIN_INTERVAL_NANOS) {
            lastPlain = now;
            printLine();
        }
    }

    private void printLine() {
        String line = line();
        if (!line.equals(lastPrinted)) {
            err.println(line);
            lastPrinted = line;
        }
    }

    private String line() {
        String total = lastTotal > 0 ? " of " + mib(lastTotal) + String.format(" (%.0f%%)", 100.0 * lastDone / lastTotal) : "";
        return task + ": " + mib(lastDone) + total;
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (bar != null) {
            if (lastTotal > 0) {
                bar.stepTo(lastTotal);
            }
            bar.close();
            bar = null;
        } else if (!quiet && lastDone > 0) {
            printLine();
        }
    }
}
