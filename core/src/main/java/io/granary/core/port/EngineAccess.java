package io.granary.core.port;

import java.net.URI;
import java.util.Objects;

/**
 * An optional ability of an {@link ObjectStore}: how a table engine that reads and writes the bucket itself
 * (Trino stages, loads and exports straight into the store) reaches it. A store that has it implements this
 * interface next to {@link ObjectStore}; a backend that needs it checks with {@code instanceof} and says what
 * is missing otherwise.
 *
 * <p>The key has full access to the bucket and does not expire. On Granary's own S3 endpoints (the embedded
 * one, {@code granary s3}) it is a key of its own, derived from the system key but unable to derive anything:
 * the engine never holds the secret minted credentials come from. On other stores it is the node's own key.
 */
public interface EngineAccess {

    /**
     * Where and how to reach the bucket: {@code endpoint} null means AWS S3 (the region's endpoint).
     * {@link #toString()} never shows the secret.
     */
    record S3Endpoint(URI endpoint, String region, String bucket, boolean pathStyle, String accessKey, String secretKey) {
        public S3Endpoint {
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(accessKey, "accessKey");
            Objects.requireNonNull(secretKey, "secretKey");
            region = region == null || region.isBlank() ? "us-east-1" : region;
        }

        /** The same with another endpoint (the address differs where the engine runs, e.g. in a container). */
        public S3Endpoint at(URI other) {
            return new S3Endpoint(other, region, bucket, pathStyle, accessKey, secretKey);
        }

        @Override
        public String toString() {
            return "S3Endpoint[endpoint=" + (endpoint == null ? "AWS S3" : endpoint) + ", region=" + region + ", bucket="
                    + bucket + ", pathStyle=" + pathStyle + ", accessKey=" + accessKey + ", secretKey=***]";
        }
    }

    /** The endpoint, bucket and key an engine uses. */
    S3Endpoint engineEndpoint();
}
