package io.granary.client;

/**
 * How {@link StorageClient#downloadFile} downloads. Defaults: 4 parallel transfers, no progress listener,
 * decompress = false (the bytes are written as stored).
 */
public final class DownloadOptions {

    private int parallelism = FileUploadOptions.DEFAULT_PARALLELISM;
    private ProgressListener progress = ProgressListener.NONE;
    private boolean decompress;

    public static DownloadOptions defaults() {
        return new DownloadOptions();
    }

    /** Number of slices or byte ranges transferred at once (default 4). */
    public DownloadOptions parallelism(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.parallelism = parallelism;
        return this;
    }

    /** Progress in downloaded (stored, possibly compressed) bytes; total is -1 when unknown. */
    public DownloadOptions progress(ProgressListener progress) {
        this.progress = progress == null ? ProgressListener.NONE : progress;
        return this;
    }

    /** Gunzip every gzip object (slice or whole file, recognised by its magic bytes) while writing. */
    public DownloadOptions decompress(boolean decompress) {
        this.decompress = decompress;
        return this;
    }

    public int parallelism() {
        return parallelism;
    }

    public ProgressListener progress() {
        return progress;
    }

    public boolean decompress() {
        return decompress;
    }
}
