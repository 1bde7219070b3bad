package io.granary.duckdb;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;

/**
 * The gzip files of one load, and the check that refuses a truncated or corrupt one. DuckDB reads a gzip stream
 * that was cut short without a word, so Java's reader, which checks the length and CRC in the trailer, has to see
 * every byte. Where the machine makes named pipes (mkfifo), that is the only decompression: Java gunzips each file
 * into a pipe and DuckDB reads the pipe as plain CSV, so the bytes are read and inflated once, in a thread beside
 * DuckDB's parser. Elsewhere DuckDB reads the gzip file itself and Java decompresses it a second time beside it,
 * only to check it.
 *
 * <p>Either way a broken file fails the load with {@code INVALID_CSV} "Invalid CSV file[ (file i of n)]. Invalid
 * gzip data (…)." — from {@link #finish()} after DuckDB read everything, or from {@link #failure()} when DuckDB
 * failed first (a cut-off stream may end in half a line). Nothing has changed the table by then: the rows are in
 * staging. Not thread-safe: one load uses it.
 */
final class GzipInputs implements AutoCloseable {

    private static final int BUFFER = 1 << 16;
    private static volatile Boolean pipes;

    private final Path pipeDir;
    private final ExecutorService pool;
    private final boolean usePipes;
    private final int fileCount;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<CompletableFuture<Void>> tasks = new ArrayList<>();
    private final List<Path> created = new ArrayList<>();

    /**
     * @param pipeDir   where the named pipes are made (and removed on {@link #close()})
     * @param pool      runs one task per gzip file (a pipe's writer blocks until DuckDB opens the pipe)
     * @param fileCount files in the load, for the "(file i of n)" of an error
     */
    GzipInputs(Path pipeDir, ExecutorService pool, int fileCount) {
        this.pipeDir = pipeDir;
        this.pool = pool;
        this.usePipes = pipesAvailable(pipeDir);
        this.fileCount = fileCount;
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /**
     * What DuckDB reads for the {@code index}-th file of the load: a pipe carrying it decompressed, or the file
     * itself (a gzip file then gets its check beside DuckDB).
     */
    Input input(Path file, int index) throws IOException {
        if (!isGzip(file)) {
            return new Input(file, false);
        }
        if (!usePipes) {
            tasks.add(CompletableFuture.runAsync(() -> verify(file, index), pool));
            return new Input(file, true);
        }
        Path pipe = pipeDir.resolve("gunzip-" + UUID.randomUUID() + ".csv");
        mkfifo(pipe);
        created.add(pipe);
        tasks.add(CompletableFuture.runAsync(() -> feed(file, pipe, index), pool));
        return new Input(pipe, false);
    }

    /**
     * What DuckDB is given for one file.
     *
     * @param compressed whether DuckDB reads it as gzip
     */
    record Input(Path path, boolean compressed) {
    }

    /** Waits until every gzip file was read to its end; throws the first one's gzip error. */
    void finish() {
        for (CompletableFuture<Void> task : tasks) {
            join(task);
        }
    }

    /**
     * After DuckDB failed: the first gzip error among the files, or null. Pipes DuckDB no longer reads are let go
     * first, so this does not wait for a reader that is gone.
     */
    GranaryException failure() {
        release();
        for (CompletableFuture<Void> task : tasks) {
            try {
                join(task);
            } catch (GranaryException e) {
                if (e.errorCode().equals(ErrorCode.INVALID_CSV)) {
                    return e;
                }
            } catch (RuntimeException ignored) {
                // cancelled or other: not a gzip problem
            }
        }
        return null;
    }

    /** Stops the tasks and removes the pipes. */
    @Override
    public void close() {
        release();
        for (CompletableFuture<Void> task : tasks) {
            try {
                task.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException | RuntimeException ignored) {
                // reported by finish() or failure(), or nobody asks any more
            }
        }
        for (Path pipe : created) {
            try {
                Files.deleteIfExists(pipe);
            } catch (IOException ignored) {
                // a leftover pipe in the temp directory holds no data
            }
        }
    }

    // A writer whose reader never came blocks in open(); one whose reader left stops at the next write (EPIPE).
    // Opening a pipe read-write never blocks on Linux: it lets a waiting writer through, and closing it again
    // leaves that writer without a reader.
    private void release() {
        stop.set(true);
        for (int i = 0; i < created.size(); i++) {
            if (!tasks.get(i).isDone()) {
                try (FileChannel ignored = FileChannel.open(created.get(i), StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
                    // opened and closed
                } catch (IOException ignoredToo) {
                    // the pipe is gone, and with it its writer
                }
            }
        }
    }

    private void feed(Path file, Path pipe, int index) {
        byte[] buffer = new byte[BUFFER];
        // the pipe first: DuckDB blocks opening it until a writer does, even when the file turns out broken
        try (FileChannel out = FileChannel.open(pipe, StandardOpenOption.WRITE)) {
            InputStream in;
            try {
                in = new GZIPInputStream(Files.newInputStream(file), BUFFER);
            } catch (IOException e) {
                throw invalid(e, index);
            }
            try (in) {
                while (!stop.get()) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException e) {
                        throw invalid(e, index);
                    }
                    if (n < 0) {
                        return;
                    }
                    ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                }
            }
        } catch (IOException e) {
            // the pipe: DuckDB stopped reading it (or never came); it reports its own problem, if any
        }
    }

    private void verify(Path file, int index) {
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), BUFFER)) {
            while (in.read(buffer) >= 0) {
                if (stop.get()) {
                    return;
                }
            }
        } catch (IOException e) {
            throw invalid(e, index);
        }
    }

    private GranaryException invalid(IOException e, int index) {
        String where = fileCount > 1 ? " (file " + (index + 1) + " of " + fileCount + ")" : "";
        return new GranaryException(ErrorCode.INVALID_CSV, "Invalid CSV file" + where + ". Invalid gzip data ("
                + (e.getMessage() == null ? "unexpected end of the stream" : e.getMessage()) + ").", e);
    }

    private static void join(CompletableFuture<Void> task) {
        try {
            task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GranaryException(ErrorCode.INTERNAL, "Interrupted while reading gzip input.", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GranaryException g) {
                throw g;
            }
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot read a gzip file: " + e.getCause(), e.getCause());
        }
    }

    /** Whether {@code mkfifo} makes named pipes in {@code dir} (asked once per process). */
    static boolean pipesAvailable(Path dir) {
        Boolean known = pipes;
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
            pipes = known;
        }
        return known;
    }

    private static void mkfifo(Path pipe) throws IOException {
        Process p = new ProcessBuilder("mkfifo", "-m", "600", pipe.toString()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("mkfifo failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new java.io.InterruptedIOException("interrupted making a pipe");
        }
    }

}
