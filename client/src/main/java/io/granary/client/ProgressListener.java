package io.granary.client;

/**
 * Receives transfer progress. Called from worker threads, possibly concurrently: implementations must be
 * thread-safe and fast (do not block). {@code bytesDone} never decreases between calls made for one transfer;
 * {@code bytesTotal} is {@code -1} when not known in advance. Granularity is a part, a slice or a copy buffer —
 * not every byte.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores everything. */
    ProgressListener NONE = (done, total) -> { };

    void progress(long bytesDone, long bytesTotal);
}
