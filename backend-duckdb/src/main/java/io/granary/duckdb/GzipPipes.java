package io.granary.duckdb;

import io.granary.core.csv.CsvChecker;
import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * The gzip files of one load read once: Java gunzips each into a named pipe that DuckDB reads as plain CSV,
 * and hands every inflated buffer to the file's {@link CsvChecker} on the way, so the one inflating pass also
 * checks the gzip trailer (length and CRC, which DuckDB never checks) and the strict CSV rules. Without it
 * DuckDB inflates the file and Java inflates it a second time beside it only to check it (the fallback where
 * {@code mkfifo} is missing).
 *
 * <p>A feed's result is what {@code CsvScan.check} gives for the same file: the checker, finished (or stopped
 * at its first problem), or the {@code Invalid gzip data} error. When DuckDB stops reading early (its own
 * error), the feed goes on inflating and checking without the pipe, so a file's CSV or gzip problem still wins
 * over DuckDB's message. Not thread-safe: one load uses it.
 */
final class GzipPipes implements AutoCloseable {

    private static final int BUFFER = 1 << 16;
    private static volatile Boolean available;

    private final Path dir;
    private final ExecutorService pool;
    private final List<Path> pipes = new ArrayList<>();
    private final List<CompletableFuture<CsvChecker>> feeds = new ArrayList<>();

    /**
     * @param dir  where the pipes are made (and removed on {@link #close()})
     * @param pool runs one feed per file; a feed blocks until DuckDB opens its pipe
     */
    GzipPipes(Path dir, ExecutorService pool) {
        this.dir = dir;
        this.pool = pool;
    }

    /** A pipe DuckDB reads and the feed that fills it; the feed's checker is the file's check. */
    record Feed(Path pipe, CompletableFuture<CsvChecker> check) {
    }

    /**
     * Makes a pipe and starts gunzipping {@code file} into it through a checker from {@code checker}.
     *
     * @param where {@code ""} or {@code " (file i of n)"}, for the gzip error
     */
    Feed feed(Path file, Supplier<CsvChecker> checker, String where, BooleanSupplier stop) throws IOException {
        Files.createDirectories(dir);
        Path pipe = dir.resolve("gunzip-" + UUID.randomUUID() + ".csv");
        mkfifo(pipe);
        pipes.add(pipe);
        CompletableFuture<CsvChecker> check = CompletableFuture.supplyAsync(
                () -> run(file, pipe, checker.get(), where, stop), pool);
        feeds.add(check);
        return new Feed(pipe, check);
    }

    /**
     * Lets every feed whose reader never came (DuckDB failed before opening its pipe) go on without it.
     * Opening a pipe read-write never blocks on Linux: it lets a waiting writer through, and closing it again
     * leaves that writer without a reader (its next write fails, and it checks on without writing).
     */
    void release() {
        for (int i = 0; i < pipes.size(); i++) {
            if (!feeds.get(i).isDone()) {
                try (FileChannel ignored = FileChannel.open(pipes.get(i), StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
                    // opened and closed
                } catch (IOException gone) {
                    // the pipe is gone, and with it its writer's wait
                }
            }
        }
    }

    /** Lets the feeds go, waits for them briefly and removes the pipes. */
    @Override
    public void close() {
        release();
        for (CompletableFuture<CsvChecker> feed : feeds) {
            try {
                feed.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException | RuntimeException ignored) {
                // reported through the check, or nobody asks any more
            }
        }
        for (Path pipe : pipes) {
            try {
                Files.deleteIfExists(pipe);
            } catch (IOException ignored) {
                // a leftover pipe in the temp directory holds no data
            }
        }
    }

    private static CsvChecker run(Path file, Path pipe, CsvChecker checker, String where, BooleanSupplier stop) {
        byte[] buffer = new byte[BUFFER];
        // the pipe first: DuckDB blocks opening it until a writer does, even when the file turns out broken
        FileChannel out;
        try {
            out = FileChannel.open(pipe, StandardOpenOption.WRITE);
        } catch (IOException e) {
            out = null;
        }
        try (FileChannel pipeOut = out; InputStream in = gunzip(file, where)) {
            boolean piping = pipeOut != null;
            while (true) {
                int n = read(in, buffer, where);
                if (n < 0) {
                    checker.finish();
                    return checker;
                }
                if (!checker.feed(buffer, 0, n) || stop.getAsBoolean()) {
                    return checker; // its first problem, which wins over whatever DuckDB makes of the rest
                }
                if (piping) {
                    piping = write(pipeOut, buffer, n);
                }
            }
        } catch (IOException closing) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot read a file to load: " + closing.getMessage(), closing);
        }
    }

    private static InputStream gunzip(Path file, String where) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return new GZIPInputStream(raw, BUFFER);
        } catch (IOException e) {
            raw.close();
            throw invalid(where, e);
        }
    }

    private static int read(InputStream in, byte[] buffer, String where) {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw invalid(where, e);
        }
    }

    /** Writes to the pipe; false once DuckDB stopped reading it. */
    private static boolean write(FileChannel out, byte[] buffer, int n) {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
        try {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            return true;
        } catch (IOException readerGone) {
            return false;
        }
    }

    static GranaryException invalid(String where, IOException e) {
        return new GranaryException(ErrorCode.INVALID_CSV, "Invalid CSV file" + where + ". Invalid gzip data ("
                + (e.getMessage() == null ? "unexpected end of the stream" : e.getMessage()) + ").", e);
    }

    /** Whether {@code mkfifo} makes named pipes in {@code dir} (asked once per process). */
    static boolean available(Path dir) {
        Boolean known = available;
        if (known == null) {
            Path probe = dir.resolve("fifo-probe-" + UUID.randomUUID());
            try {
                Files.createDirectories(dir);
                mkfifo(probe);
                known = true;
            } catch (IOException e) {
                known = false;
            } finally {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // best effort
                }
            }
            available = known;
        }
        return known;
    }

    private static void mkfifo(Path pipe) throws IOException {
        Process p = new ProcessBuilder("mkfifo", "-m", "600", pipe.toString()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("mkfifo failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new InterruptedIOException("interrupted making a pipe");
        }
    }
}
