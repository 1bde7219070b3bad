package io.granary.core.util;

import io.granary.core.port.ExportTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Finishes the local slices of an export on a pool of threads: each slice is turned into its final form (gzipped,
 * converted to Parquet, or kept) and handed over to the {@link ExportTarget}, while the engine writes the next one.
 * Backends write plain slices and hand them here, because one thread compressing (or uploading) a whole export is
 * its bottleneck. At most two slices per thread wait at a time: {@link #submit} blocks beyond that, so a fast engine
 * does not fill the disk with slices not yet handed over.
 */
public final class SlicePipeline implements AutoCloseable {

    /** What happens to a finished plain slice before it is handed over; returns the file to hand over. */
    @FunctionalInterface
    public interface Step {
        Path apply(Path plain) throws IOException;
    }

    /** Keeps the slice as it is. */
    public static final Step KEEP = plain -> plain;

    /** Replaces {@code <slice>} by {@code <slice>.gz}, one complete gzip stream at the fastest level. */
    public static final Step GZIP = SlicePipeline::gzip;

    /** The most plain CSV a slice holds when a step other than {@link #KEEP} finishes it here. */
    public static final long FINISHED_SLICE_BYTES = 32L << 20;

    /**
     * How much plain CSV an engine should write into one slice: {@code sliceBytes}, or at most
     * {@link #FINISHED_SLICE_BYTES} when the pool still has to finish the slices ({@code finishedHere}), so it has
     * some to work on while the engine writes (a 128 MiB export in one slice was compressed only after it ended).
     */
    public static long plainSliceBytes(long sliceBytes, boolean finishedHere) {
        return finishedHere ? Math.min(sliceBytes, FINISHED_SLICE_BYTES) : sliceBytes;
    }

    private final ExecutorService pool;
    private final Semaphore waiting;

    /** A pool of {@code threads} daemon threads. */
    public SlicePipeline(int threads) {
        int n = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "export-slice");
            t.setDaemon(true);
            return t;
        });
        this.waiting = new Semaphore(2 * n);
    }

    /** One thread per available processor. */
    public SlicePipeline() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Starts finishing {@code plain}: {@code step}, then {@code target.putSlice(name, file)}. The future holds the
     * slice's object key. Blocks while the pool already has two slices per thread to finish.
     */
    public CompletableFuture<String> submit(Path plain, Step step, ExportTarget target, String name) {
        try {
            waiting.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return target.putSlice(name, step.apply(plain));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    waiting.release();
                }
            }, pool);
        } catch (RuntimeException e) {
            waiting.release();
            throw e;
        }
    }

    /**
     * The keys of submitted slices, in order, once every one is done. When any failed, waits for the others too
     * (none may still be writing when the caller cleans up), then throws the first failure: an {@link IOException}
     * as such, anything else unchecked as it was thrown.
     */
    public static List<String> await(List<CompletableFuture<String>> pending) throws IOException {
        List<String> out = new ArrayList<>();
        Throwable first = null;
        for (CompletableFuture<String> f : pending) {
            try {
                out.add(f.join());
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (first == null) {
                    first = cause;
                } else if (first != cause) {
                    first.addSuppressed(cause);
                }
            }
        }
        if (first instanceof UncheckedIOException u) {
            throw u.getCause();
        }
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IOException(first);
        }
        return out;
    }

    /** Waits for every submitted slice, ignoring failures: an export is failing already. */
    public static void awaitQuietly(List<CompletableFuture<String>> pending) {
        for (CompletableFuture<String> f : pending) {
            try {
                f.join();
            } catch (RuntimeException ignored) {
                // the export fails with its own error
            }
        }
    }

    private static Path gzip(Path slice) throws IOException {
        Path target = slice.resolveSibling(slice.getFileName() + ".gz");
        try (InputStream in = Files.newInputStream(slice);
                OutputStream out = new GZIPOutputStream(Files.newOutputStream(target), 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                }) {
            in.transferTo(out);
        }
        Files.delete(slice);
        return target;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
