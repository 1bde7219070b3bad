package io.granary.core.model;

import java.time.Instant;
import java.util.List;

/**
 * A file in File Storage. {@code key} is the object key (for a sliced file: the prefix of its
 * slices; the manifest is {@code key + "manifest"}). {@code expires} is null for permanent files.
 */
public record StoredFile(
        long id,
        String name,
        Long sizeBytes,
        String contentType,
        boolean isPublic,
        boolean isSliced,
        boolean isEncrypted,
        boolean isPermanent,
        String fileType,
        List<String> tags,
        String runId,
        long creatorTokenId,
        String creatorTokenDescription,
        String key,
        Instant created,
        Instant expires) {

    public StoredFile {
        tags = List.copyOf(tags);
    }

    public boolean isExpired(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    /** Whether an object key holds this file's bytes: the key itself, or for a sliced file any key under it. */
    public boolean owns(String objectKey) {
        return isSliced ? objectKey.startsWith(key) : objectKey.equals(key);
    }

    public StoredFile withTags(List<String> newTags) {
        return new StoredFile(id, name, sizeBytes, contentType, isPublic, isSliced, isEncrypted, isPermanent,
                fileType, newTags, runId, creatorTokenId, creatorTokenDescription, key, created, expires);
    }

    public StoredFile withSizeBytes(Long size) {
        return new StoredFile(id, name, size, contentType, isPublic, isSliced, isEncrypted, isPermanent,
                fileType, tags, runId, creatorTokenId, creatorTokenDescription, key, created, expires);
    }
}
