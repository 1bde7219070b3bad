package io.granary.objectstore;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * How to reach an S3-compatible store run outside Granary (AWS S3, MinIO, Ceph RGW, or another Granary's
 * embedded endpoint) and how clients get access to its objects.
 *
 * @param endpoint S3 endpoint Granary talks to, e.g. {@code http://minio:9000}; null for AWS S3 (the SDK
 *     picks the region's endpoint)
 * @param region signing region; null or blank means "us-east-1" (what MinIO and Ceph expect by default)
 * @param bucket the one bucket holding every object; it must exist
 * @param accessKey the server's own access key (full access to the bucket; see docs/scale-out.md for what
 *     each credentials mode needs besides)
 * @param secretKey its secret; never shown by {@link #toString()}
 * @param pathStyle {@code endpoint/bucket/key} addressing (MinIO, Ceph, Granary) instead of virtual-host
 *     {@code bucket.endpoint/key} (AWS S3)
 * @param credentials how clients get access to the objects of a file
 * @param roleArn the role {@code sts-assume-role} assumes; required on AWS (no endpoint), ignored by MinIO;
 *     null otherwise
 * @param publicEndpoint the endpoint as clients reach it (presigned URLs, {@code services[s3]} in the index)
 *     when it differs from {@code endpoint}; null means {@code endpoint}
 */
public record ExternalS3Config(URI endpoint, String region, String bucket, String accessKey, String secretKey,
        boolean pathStyle, CredentialsMode credentials, String roleArn, URI publicEndpoint) {

    /** How clients are given access to the objects of a file (the {@code --s3-credentials} flag). */
    public enum CredentialsMode {
        /** STS {@code GetFederationToken} with an inline policy: AWS S3, with an IAM user's keys. */
        STS_FEDERATION("sts-federation"),
        /** STS {@code AssumeRole} with an inline policy: MinIO (STS on the S3 endpoint), Ceph RGW, AWS with a role. */
        STS_ASSUME_ROLE("sts-assume-role"),
        /** No credentials: presigned PUT/GET URLs only, for stores without STS; sliced uploads are refused. */
        PRESIGNED("presigned"),
        /** The store is a Granary embedded endpoint sharing this server's catalog: it mints its own keys. */
        GRANARY("granary");

        private final String flag;

        CredentialsMode(String flag) {
            this.flag = flag;
        }

        /** The value as written on the command line and in {@code GRANARY_S3_CREDENTIALS}. */
        public String flag() {
            return flag;
        }

        /** Parses a flag value (case-insensitive). */
        public static CredentialsMode parse(String value) {
            for (CredentialsMode mode : values()) {
                if (mode.flag.equalsIgnoreCase(value == null ? "" : value.strip())) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("Unknown S3 credentials mode '" + value
                    + "': use sts-federation, sts-assume-role, presigned or granary");
        }

        @Override
        public String toString() {
            return flag;
        }
    }

    public ExternalS3Config {
        Objects.requireNonNull(credentials, "credentials");
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("An external S3 store needs a bucket");
        }
        if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isEmpty()) {
            throw new IllegalArgumentException("An external S3 store needs an access key and a secret key");
        }
        region = region == null || region.isBlank() ? "us-east-1" : region.strip();
        roleArn = roleArn == null || roleArn.isBlank() ? null : roleArn.strip();
        if (credentials == CredentialsMode.GRANARY && endpoint == null) {
            throw new IllegalArgumentException("Credentials mode granary needs the endpoint of the Granary S3 store");
        }
        if (credentials == CredentialsMode.STS_ASSUME_ROLE && roleArn == null && isAws(endpoint)) {
            throw new IllegalArgumentException("Credentials mode sts-assume-role on AWS needs a role ARN");
        }
    }

    /** AWS S3 (no endpoint, or an {@code *.amazonaws.com} one) rather than another S3-compatible store. */
    public boolean isAws() {
        return isAws(endpoint);
    }

    static boolean isAws(URI endpoint) {
        if (endpoint == null) {
            return true;
        }
        String host = endpoint.getHost() == null ? "" : endpoint.getHost().toLowerCase(Locale.ROOT);
        return host.endsWith(".amazonaws.com") || host.endsWith(".amazonaws.com.cn");
    }

    /** Where the endpoint is, for messages. */
    public String where() {
        return endpoint != null ? endpoint.toString() : "AWS S3 (" + region + ")";
    }

    @Override
    public String toString() {
        return "ExternalS3Config[endpoint=" + where() + ", region=" + region + ", bucket=" + bucket + ", accessKey="
                + accessKey + ", secretKey=***, pathStyle=" + pathStyle + ", credentials=" + credentials.flag()
                + ", roleArn=" + roleArn + ", publicEndpoint=" + publicEndpoint + "]";
    }
}
