package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.port.CredentialIssuerContract;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The contract's view of a store through issued credentials: the AWS SDK's S3 client, as Keboola's clients use it. */
final class SdkStoreClient implements CredentialIssuerContract.StoreClient {

    private final S3Client client;
    private final String bucket;

    SdkStoreClient(S3Client client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    @Override
    public boolean put(String key, String content) {
        try {
            client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
            return true;
        } catch (S3Exception e) {
            assertRefusal(e);
            return false;
        }
    }

    @Override
    public Optional<String> get(String key) {
        try {
            return Optional.of(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String());
        } catch (S3Exception e) {
            assertRefusal(e);
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** A refusal is a 403 for the credentials (never, say, a missing key or a server error). */
    static void assertRefusal(S3Exception e) {
        assertThat(e.statusCode()).as("status of a refused request: %s", e.getMessage()).isEqualTo(403);
        if (e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null) {
            assertThat(e.awsErrorDetails().errorCode())
                    .isIn("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch");
        }
    }
}
