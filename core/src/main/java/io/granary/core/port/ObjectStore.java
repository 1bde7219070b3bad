package io.granary.core.port;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One S3 bucket holding every object Granary stores. Keys are plain strings ("exp-15/1/files/…").
 * Reads and writes stream: no method holds a whole object in memory.
 */
public interface ObjectStore extends AutoCloseable {

    /** Size and time of one stored object. */
    record ObjectInfo(String key, long size, Instant lastModified) {
    }

    /** The S3 bucket name clients see in {@code uploadParams.bucket} and {@code s3Path.bucket}. */
    String bucket();

    /** The region clients are told (never empty). */
    String region();

    /** The S3 endpoint clients should use (for humans and Granary's own client). */
    URI endpoint();

    /** Stores the stream under {@code key}; {@code length} may be -1 when unknown. Replaces any object. */
    void put(String key, InputStream data, long length);

    /** Stores a local file under {@code key}; a file can be re-read, so transient failures are retried. */
    void putFile(String key, Path file);

    /**
     * Stores a local file under {@code key} and takes it: afterwards {@code file} no longer exists. A store that
     * keeps objects as local files (the embedded one) moves it in place when it can, so nothing is copied; the
     * object then reads exactly as if it had been uploaded (same bytes, size and ETag). Any other store uploads
     * it ({@link #putFile}) and deletes it. After a failure the file may or may not still exist.
     */
    default void moveFile(String key, Path file) {
        putFile(key, file);
        try {
            java.nio.file.Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Stored " + key + " but cannot delete " + file, e);
        }
    }

    /** Opens an object for reading; empty when it does not exist. The caller closes the stream. */
    Optional<InputStream> open(String key);

    /** Size and time of an object; empty when it does not exist. */
    Optional<ObjectInfo> stat(String key);

    /** Every object whose key starts with {@code prefix}, in key order. */
    List<ObjectInfo> list(String prefix);

    /**
     * One page of {@link #list(String)}: at most {@code limit} objects whose key starts with {@code prefix}
     * and sorts after {@code startAfter} (null: from the first), in key order. Fewer than {@code limit}
     * means the listing has reached its end. Holds no more than {@code limit} entries in memory.
     */
    List<ObjectInfo> list(String prefix, String startAfter, int limit);

    /** Removes an object; no error when it does not exist. */
    void delete(String key);

    /** Removes every object whose key starts with {@code prefix}. */
    void deletePrefix(String prefix);

    /**
     * The object as a local file that may be read in place (embedded store); empty when the store is
     * remote or the object does not exist. The path must not be written to.
     */
    Optional<Path> localPath(String key);

    /** A URL that lets a plain unauthenticated GET read the object until {@code ttl} has passed. */
    URI presignGet(String key, Duration ttl);

    /**
     * A URL that lets a plain unauthenticated HTTP PUT store one object under {@code key} until {@code ttl}
     * has passed (for stores that mint no credentials, see {@code CredentialIssuer#mintsCredentials}). Only
     * the host is signed: the PUT must not add {@code x-amz-*} headers, and it is a single request, so it is
     * bound by the store's single-PUT size limit (5 GiB on AWS S3).
     */
    URI presignPut(String key, Duration ttl);

    /** Whether the store answers (for readiness checks). */
    boolean isHealthy();

    @Override
    void close();
}
