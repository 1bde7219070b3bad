package io.granary.core.util;

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
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Compresses finished export slices on a pool of threads: each plain slice is replaced by
 * {@code <slice>.gz}, a complete gzip stream. Backends write plain slices and hand them over here,
 * because one thread compressing a whole export is the bottleneck of a big gzip export.
 */
public final class SliceGzip implements AutoCloseable {

    private final ExecutorService pool;

    /** A pool of {@code threads} daemon threads. */
    public SliceGzip(int threads) {
        this.pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "gzip-export");
            t.setDaemon(true);
            return t;
        });
    }

    /** One thread per available processor. */
    public SliceGzip() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** Starts compressing {@code plain} into {@code plain.gz}; the plain file is deleted when done. */
    public CompletableFuture<Path> submit(Path plain) {
        return CompletableFuture.supplyAsync(() -> gzip(plain), pool);
    }

    /** Compresses all slices in parallel; returns the gzip slices in the same order. */
    public List<Path> gzipAll(List<Path> plain) throws IOException {
        List<CompletableFuture<Path>> pending = new ArrayList<>();
        for (Path slice : plain) {
            pending.add(submit(slice));
        }
        return await(pending);
    }

    /** Waits for submitted slices, in order; the first failure is thrown as an {@link IOException}. */
    public static List<Path> await(List<CompletableFuture<Path>> pending) throws IOException {
        List<Path> out = new ArrayList<>();
        for (CompletableFuture<Path> f : pending) {
            try {
                out.add(f.join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(e.getCause());
            }
        }
        return out;
    }

    private static Path gzip(Path slice) {
        Path target = slice.resolveSibling(slice.getFileName() + ".gz");
        try {
            try (InputStream in = Files.newInputStream(slice);
                    OutputStream out = new GZIPOutputStream(Files.newOutputStream(target), 1 << 16) {
                        {
                            def.setLevel(Deflater.BEST_SPEED);
                        }
                    }) {
                in.transferTo(out);
            }
            Files.delete(slice);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
