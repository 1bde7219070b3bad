package io.granary.objectstore;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.port.CredentialIssuer;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Mints scoped credentials for an external store through its STS API, with an inline session policy
 * ({@link StsPolicy}) limiting them to one key or key prefix and to uploading or downloading:
 *
 * <ul>
 * <li>{@link Mode#FEDERATION}: {@code GetFederationToken}. AWS only; the server's key must be an IAM user's
 *     long-term key (not a role's) allowed {@code sts:GetFederationToken}.</li>
 * <li>{@link Mode#ASSUME_ROLE}: {@code AssumeRole}. On AWS the server's key must be allowed
 *     {@code sts:AssumeRole} on {@code roleArn}; MinIO serves this on its S3 endpoint, with any user's keys,
 *     and ignores the role ARN (which may then be null).</li>
 * </ul>
 *
 * <p>The lifetime asked for is clamped to {@link #MIN_DURATION} … {@link #MAX_DURATION} (STS refuses less than
 * 15 minutes, and a role's MaxSessionDuration is at most 12 hours; for AssumeRole on AWS raise the role's
 * MaxSessionDuration to 12 hours, since Granary asks for 12-hour upload credentials). The expiration STS
 * answers is the one handed out. STS failures become an internal {@link GranaryException} naming the
 * operation and endpoint; it never includes the secret.
 */
public final class StsCredentialIssuer implements CredentialIssuer, AutoCloseable {

    /** Which STS call mints the credentials. */
    public enum Mode {
        FEDERATION("GetFederationToken"),
        ASSUME_ROLE("AssumeRole");

        private final String action;

        Mode(String action) {
            this.action = action;
        }

        /** The STS action name. */
        public String action() {
            return action;
        }
    }

    /** STS's minimum for both calls. */
    public static final Duration MIN_DURATION = Duration.ofMinutes(15);
    /** The largest MaxSessionDuration a role can have (GetFederationToken would allow 36 h; we keep one limit). */
    public static final Duration MAX_DURATION = Duration.ofHours(12);

    private static final AtomicLong SESSIONS = new AtomicLong();

    private final StsClient sts;
    private final String where;
    private final Mode mode;
    private final String bucket;
    private final String partition;
    private final String roleArn;

    /**
     * @param sts a client signing with the server's own key
     * @param where the STS endpoint, for messages
     * @param mode which call mints credentials
     * @param bucket the only bucket credentials are for
     * @param region the store's region (gives the ARN partition)
     * @param roleArn the role to assume; may be null only for {@link Mode#ASSUME_ROLE} against a store that
     *     ignores it (MinIO); unused for {@link Mode#FEDERATION}
     */
    StsCredentialIssuer(StsClient sts, String where, Mode mode, String bucket, String region, String roleArn) {
        this.sts = Objects.requireNonNull(sts, "sts");
        this.where = Objects.requireNonNull(where, "where");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.partition = StsPolicy.partition(region);
        this.roleArn = roleArn;
    }

    /**
     * An issuer calling STS at {@code stsEndpoint} (null: AWS STS of {@code region}) with the server's own key.
     */
    public static StsCredentialIssuer create(URI stsEndpoint, String region, String accessKey, String secretKey,
            Mode mode, String bucket, String roleArn) {
        String signingRegion = region == null || region.isBlank() ? "us-east-1" : region;
        StsClientBuilder builder = StsClient.builder()
                .region(Region.of(signingRegion))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClientBuilder(ApacheHttpClient.builder());
        if (stsEndpoint != null) {
            builder.endpointOverride(stsEndpoint);
        }
        String where = stsEndpoint != null ? stsEndpoint.toString() : "AWS STS (" + signingRegion + ")";
        return new StsCredentialIssuer(builder.build(), where, mode, bucket, signingRegion, roleArn);
    }

    public Mode mode() {
        return mode;
    }

    /** The lifetime asked of STS for {@code ttl}. */
    static Duration clamp(Duration ttl) {
        if (ttl.compareTo(MIN_DURATION) < 0) {
            return MIN_DURATION;
        }
        return ttl.compareTo(MAX_DURATION) > 0 ? MAX_DURATION : ttl;
    }

    @Override
    public IssuedCredentials issue(String key, boolean prefix, Access access, Duration ttl) {
        Objects.requireNonNull(access, "access");
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("A credential needs a positive lifetime");
        }
        String policy = StsPolicy.of(partition, bucket, key, prefix, access);
        int seconds = (int) clamp(ttl).toSeconds();
        // shows in CloudTrail / MinIO's audit log; 2–32 characters of [\w+=,.@-] for a federated user name
        String name = "granary-" + access.name().toLowerCase(Locale.ROOT);
        Credentials c;
        try {
            if (mode == Mode.FEDERATION) {
                c = sts.getFederationToken(b -> b.name(name).policy(policy).durationSeconds(seconds)).credentials();
            } else {
                String session = name + "-" + System.currentTimeMillis() + "-" + SESSIONS.incrementAndGet();
                c = sts.assumeRole(b -> b.roleArn(roleArn).roleSessionName(session).policy(policy)
                        .durationSeconds(seconds)).credentials();
            }
        } catch (SdkException e) {
            throw failure(key, e);
        }
        if (c == null || c.accessKeyId() == null || c.secretAccessKey() == null || c.expiration() == null) {
            throw new GranaryException(ErrorCode.INTERNAL, "STS " + mode.action() + " at " + where
                    + " answered without credentials");
        }
        return new IssuedCredentials(c.accessKeyId(), c.secretAccessKey(), c.sessionToken(), c.expiration());
    }

    /** STS's error code and message (never the request's signature or secret), with a hint for common ones. */
    private GranaryException failure(String key, SdkException e) {
        String reason;
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            reason = "HTTP " + service.statusCode() + " " + service.awsErrorDetails().errorCode()
                    + (service.awsErrorDetails().errorMessage() == null ? ""
                            : ": " + service.awsErrorDetails().errorMessage());
        } else if (e instanceof AwsServiceException service) {
            reason = "HTTP " + service.statusCode();
        } else {
            reason = e.getMessage();
        }
        String hint = "";
        if (reason != null && reason.contains("MaxSessionDuration")) {
            hint = " (raise the role's MaxSessionDuration to " + MAX_DURATION.toSeconds() + " seconds)";
        }
        return new GranaryException(ErrorCode.INTERNAL, "Minting S3 credentials for '" + key + "' in bucket "
                + bucket + " failed: STS " + mode.action() + " at " + where + ": " + reason + hint, e);
    }

    @Override
    public void close() {
        sts.close();
    }

    @Override
    public String toString() {
        return "StsCredentialIssuer[" + mode.action() + " at " + where + ", bucket=" + bucket + "]";
    }
}
