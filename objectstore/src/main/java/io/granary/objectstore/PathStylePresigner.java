package io.granary.objectstore;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Presigned URLs for a path-style endpoint ({@code http://host:port/bucket/key}), signed by the SDK's SigV4 signer
 * itself: only the host is signed and the payload is unsigned, as the SDK's {@code S3Presigner} does. That presigner
 * runs a whole request pipeline per URL (interceptors, endpoint rules, auth-scheme selection), about half of a
 * {@code files/prepare} on the embedded endpoint; the signer alone is a fraction of it.
 */
final class PathStylePresigner {

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private final URI endpoint;
    private final String basePath;
    private final String bucket;
    private final String region;
    private final AwsCredentialsIdentity identity;

    PathStylePresigner(URI endpoint, String bucket, String region, AwsCredentialsIdentity identity) {
        this.endpoint = endpoint;
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.bucket = bucket;
        this.region = region;
        this.identity = identity;
    }

    URI presign(SdkHttpMethod method, String key, Duration ttl) {
        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder()
                .method(method)
                .protocol(endpoint.getScheme())
                .host(endpoint.getHost())
                .encodedPath(basePath + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(bucket) + "/"
                        + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
        if (endpoint.getPort() != -1) {
            request.port(endpoint.getPort());
        }
        SdkHttpFullRequest unsigned = request.build();
        return SIGNER.sign(r -> r.identity(identity).request(unsigned)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, ttl)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request().getUri();
    }
}
