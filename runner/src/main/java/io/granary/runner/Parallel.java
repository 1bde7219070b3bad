package io.granary.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** A pool of at most {@code parallelism} threads for one batch of Storage calls, shut down when closed. */
final class Parallel implements AutoCloseable {

    /** One task of a batch; may throw what Storage and the file system throw. */
    @FunctionalInterface
    interface Task<T, R> {
        R run(T item) throws Exception;
    }

    private final ExecutorService pool;

    /** A pool sized for {@code tasks} tasks: never more threads than tasks, never fewer than one. */
    Parallel(int parallelism, int tasks) {
        this.pool = Executors.newFixedThreadPool(Math.min(Math.max(1, parallelism), Math.max(1, tasks)));
    }

    <R> Future<R> submit(Callable<R> task) {
        return pool.submit(task);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /**
     * Runs {@code task} on every item; the results in the items' order. When tasks fail, the first failure in the
     * items' order is thrown (see {@link #await}) and the unfinished tasks are interrupted.
     */
    static <T, R> List<R> map(List<T> items, int parallelism, Task<T, R> task) {
        try (Parallel p = new Parallel(parallelism, items.size())) {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(p.submit(() -> task.run(item)));
            }
            List<R> out = new ArrayList<>();
            for (Future<R> f : futures) {
                out.add(await(f));
            }
            return out;
        }
    }

    /** The task's result; its runtime exception as thrown, a checked one as an {@link ApplicationException}. */
    static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplicationException("Interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new ApplicationException(c.getMessage(), c);
        }
    }
}
