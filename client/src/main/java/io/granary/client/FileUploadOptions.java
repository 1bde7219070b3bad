package io.granary.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link StorageClient#uploadFile} uploads a file. Fluent and mutable; the client reads it once when the
 * upload starts. Defaults: name = the file's name, no tags, not permanent, not sliced, slices of 64 MiB, no
 * compression, 4 parallel transfers, no progress listener.
 */
public final class FileUploadOptions {

    /** Default slice size: 64 MiB (uncompressed bytes of CSV per slice). */
    public static final long DEFAULT_SLICE_SIZE = 64L * 1024 * 1024;
    public static final int DEFAULT_PARALLELISM = 4;

    private String name;
    private final List<String> tags = new ArrayList<>();
    private boolean permanent;
    private boolean isPublic;
    private boolean encrypted;
    private boolean notify;
    private boolean sliced;
    private long sliceSize = DEFAULT_SLICE_SIZE;
    private boolean compress;
    private int parallelism = DEFAULT_PARALLELISM;
    private ProgressListener progress = ProgressListener.NONE;
    private char delimiter = ',';
    private Character enclosure = '"';

    public static FileUploadOptions defaults() {
        return new FileUploadOptions();
    }

    /** The file resource's name; default the local file name (plus {@code .gz} when compressing). */
    public FileUploadOptions name(String name) {
        this.name = name;
        return this;
    }

    public FileUploadOptions tags(List<String> tags) {
        this.tags.clear();
        this.tags.addAll(tags);
        return this;
    }

    public FileUploadOptions tag(String tag) {
        this.tags.add(Objects.requireNonNull(tag));
        return this;
    }

    /** A permanent file does not expire (default: expires after the server's max age, 15 days on Keboola). */
    public FileUploadOptions isPermanent(boolean permanent) {
        this.permanent = permanent;
        return this;
    }

    /** Sent as {@code isPublic} when the file is prepared. */
    public FileUploadOptions isPublic(boolean value) {
        this.isPublic = value;
        return this;
    }

    /** Sent as {@code isEncrypted} when the file is prepared. */
    public FileUploadOptions isEncrypted(boolean value) {
        this.encrypted = value;
        return this;
    }

    /** Sent as {@code notify} when the file is prepared. */
    public FileUploadOptions notify(boolean value) {
        this.notify = value;
        return this;
    }

    public boolean isPublic() {
        return isPublic;
    }

    public boolean isEncrypted() {
        return encrypted;
    }

    public boolean notifyOnUpload() {
        return notify;
    }

    /**
     * Upload a CSV as a sliced file: split on record boundaries into slices WITHOUT the header line. Loading such
     * a file needs the columns ({@link CsvFiles#readHeader}); {@link StorageClient#writeTable} does that itself.
     */
    public FileUploadOptions sliced(boolean sliced) {
        this.sliced = sliced;
        return this;
    }

    /** Uncompressed bytes per slice (a slice ends at the first record boundary at or after this size). */
    public FileUploadOptions sliceSize(long sliceSize) {
        if (sliceSize < 1) {
            throw new IllegalArgumentException("sliceSize must be positive");
        }
        this.sliceSize = sliceSize;
        return this;
    }

    /** Gzip the file (each slice, when sliced) while uploading; the server reads gzip transparently. */
    public FileUploadOptions compress(boolean compress) {
        this.compress = compress;
        return this;
    }

    /** Number of parts/slices transferred at once (default 4). */
    public FileUploadOptions parallelism(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.parallelism = parallelism;
        return this;
    }

    /** Progress in bytes of the source file (uncompressed), at part/slice granularity. */
    public FileUploadOptions progress(ProgressListener progress) {
        this.progress = progress == null ? ProgressListener.NONE : progress;
        return this;
    }

    /** CSV delimiter used to find record boundaries when slicing (default {@code ,}). */
    public FileUploadOptions delimiter(char delimiter) {
        this.delimiter = delimiter;
        return this;
    }

    /** CSV enclosure used to find record boundaries when slicing (default {@code "}; null = none). */
    public FileUploadOptions enclosure(Character enclosure) {
        this.enclosure = enclosure;
        return this;
    }

    public String name() {
        return name;
    }

    public List<String> tags() {
        return List.copyOf(tags);
    }

    public boolean isPermanent() {
        return permanent;
    }

    public boolean sliced() {
        return sliced;
    }

    public long sliceSize() {
        return sliceSize;
    }

    public boolean compress() {
        return compress;
    }

    public int parallelism() {
        return parallelism;
    }

    public ProgressListener progress() {
        return progress;
    }

    public char delimiter() {
        return delimiter;
    }

    public Character enclosure() {
        return enclosure;
    }
}
