package io.granary.objectstore;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The embedded endpoint's bucket as the directory S3Proxy's filesystem store keeps it in: object {@code key} is the
 * file {@code <bucket directory>/<key>}, with its MD5 (the ETag) in the extended attribute the store reads. Granary
 * reads objects in place from here and moves exported slices in, which saves copying them through HTTP.
 */
final class LocalBucket {

    /** The attribute S3Proxy's filesystem store records an object's MD5 in and serves as its ETag. */
    static final String CONTENT_MD5 = "user.content-md5";
    private static final int BUFFER = 1 << 16;

    private final Path directory;

    LocalBucket(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    /** The object's file; empty when there is none or the key would leave the bucket. */
    Optional<Path> existing(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.empty();
        }
        Path path = directory.resolve(key).normalize();
        // a key such as "../x" must not reach outside the bucket
        return path.startsWith(directory) && !path.equals(directory) && Files.isRegularFile(path) ? Optional.of(path)
                : Optional.empty();
    }

    /**
     * Moves {@code source} in as object {@code key}: a rename when both are on one file system, a copy otherwise,
     * then the MD5 attribute as the store's own upload would write it (skipped where the file system has no
     * extended attributes, as the store itself does).
     */
    void moveIn(String key, Path source) {
        Path target = file(key).orElseThrow(() -> new GranaryException(ErrorCode.INTERNAL,
                "Object key '" + key + "' is not a plain path inside the bucket."));
        try {
            byte[] md5 = md5(source);
            Files.createDirectories(target.getParent());
            try {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
            UserDefinedFileAttributeView xattrs = Files.getFileAttributeView(target, UserDefinedFileAttributeView.class);
            if (xattrs != null) {
                try {
                    xattrs.write(CONTENT_MD5, ByteBuffer.wrap(md5));
                } catch (UnsupportedOperationException | IOException e) {
                    // no extended attributes here: the store serves the object without an ETag, as for its own uploads
                }
            }
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot move " + source + " into the object store as '" + key
                    + "': " + e.getMessage(), e);
        }
    }

    /**
     * Deletes object {@code key} (no error when it is not there) and the directories its key made that are now
     * empty, as the store's own delete does; a directory another upload has just written into stays.
     */
    void delete(String key) {
        Optional<Path> target = file(key);
        if (target.isEmpty()) {
            return;
        }
        try {
            Files.deleteIfExists(target.get());
            for (Path dir = target.get().getParent(); dir != null && dir.startsWith(directory) && !dir.equals(directory);
                    dir = dir.getParent()) {
                try {
                    Files.deleteIfExists(dir);
                } catch (DirectoryNotEmptyException e) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot delete object '" + key + "': " + e.getMessage(), e);
        }
    }

    // keys with empty, "." or ".." segments are refused by the endpoint, so they never name an object here
    private Optional<Path> file(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            return Optional.empty();
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.empty();
            }
        }
        Path path = directory.resolve(key).normalize();
        return path.startsWith(directory) && !path.equals(directory) ? Optional.of(path) : Optional.empty();
    }

    private static byte[] md5(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            while (in.read(buffer) >= 0) {
                // reading feeds the digest
            }
        }
        return digest.digest();
    }
}
