package io.granary.core.model;

import java.time.Instant;

/**
 * The stored half of a minted object-store credential: who ({@code accessKeyId}), where
 * ({@code bucket} and {@code key}, the exact key or, when {@code prefix}, every key starting with it),
 * what ({@code access}) and until when. The secret is not stored: it is derived from the access key id.
 */
public record ScopedCredential(
        String accessKeyId,
        String sessionToken,
        String bucket,
        String key,
        boolean prefix,
        Access access,
        Instant expiration) {

    public boolean covers(String requestBucket, String requestKey) {
        if (requestBucket == null || requestKey == null || !bucket.equals(requestBucket)) {
            return false;
        }
        return prefix ? requestKey.startsWith(key) : requestKey.equals(key);
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(expiration);
    }
}
