package io.granary.core.model;

import java.time.Instant;
import java.util.Map;

/**
 * A Storage API token. The secret itself is never stored: only {@code secretHash}.
 * {@code bucketPermissions} holds explicit grants; {@code canManageBuckets} implies manage on all.
 */
public record Token(
        long id,
        String description,
        String secretHash,
        boolean isMasterToken,
        boolean canManageBuckets,
        boolean canManageTokens,
        boolean canReadAllFileUploads,
        Map<String, Permission> bucketPermissions,
        Instant created,
        Instant refreshed,
        Instant expires,
        Long creatorTokenId) {

    public Token {
        bucketPermissions = Map.copyOf(bucketPermissions);
    }

    public boolean isExpired(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    /** The effective permission on a bucket, or null when the token has none. */
    public Permission permissionOn(String bucketId) {
        if (isMasterToken || canManageBuckets) {
            return Permission.MANAGE;
        }
        return bucketPermissions.get(bucketId);
    }

    public boolean can(String bucketId, Permission needed) {
        Permission p = permissionOn(bucketId);
        return p != null && p.allows(needed);
    }
}
