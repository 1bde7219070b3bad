package io.granary.core.job;

/** Delete a bucket; one that holds tables only with {@code force}, which drops them too. */
public record BucketDeleteRequest(String bucketId, boolean force) {
}
