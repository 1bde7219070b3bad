package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The embedded S3 endpoint's side of minted credentials, at the level of every S3 operation: the headers and
 * checksums Keboola's clients send, multipart uploads, and the refusal of everything the credentials were not
 * minted for. What any issuer's credentials may do is {@link io.granary.core.port.CredentialIssuerContract}'s
 * (run for this issuer in {@link EmbeddedCredentialIssuerTest}).
 */
class ScopedCredentialsTest {

    private static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    static Path dir;
    static EmbeddedFixture fixture;
    static EmbeddedCredentialIssuer issuer;
    static S3Client system;

    @BeforeAll
    static void start() {
        fixture = new EmbeddedFixture(dir);
        issuer = (EmbeddedCredentialIssuer) fixture.storage.credentialIssuer();
        system = fixture.systemClient();
    }

    @AfterAll
    static void stop() {
        system.close();
        fixture.close();
    }

    @Test
    void uploadCredentialsPutTheirKeyWithKeboolaHeadersAndDefaultChecksums() {
        String key = "exp-15/1/files/2026/upload.csv";
        byte[] data = "id,name\n1,granary\n".getBytes(StandardCharsets.UTF_8);
        IssuedCredentials issued = issuer.issue(key, false, Access.UPLOAD, HOUR);

        try (S3Client client = fixture.client(issued)) {
            client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)
                    .serverSideEncryption(ServerSideEncryption.AES256).acl(ObjectCannedACL.PRIVATE),
                    RequestBody.fromBytes(data));
        }

        assertThat(system.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).asByteArray())
                .isEqualTo(data);
        assertThat(fixture.root.resolve(EmbeddedFixture.BUCKET).resolve(key)).hasBinaryContent(data);
    }

    @Test
    void uploadCredentialsDoMultipartUploads() {
        String key = "exp-15/2/files/big.csv";
        byte[] part1 = random(5 * 1024 * 1024 + 17);
        byte[] part2 = random(1024 * 1024);
        IssuedCredentials issued = issuer.issue(key, false, Access.UPLOAD, HOUR);

        try (S3Client client = fixture.client(issued)) {
            String uploadId = client.createMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)
                    .serverSideEncryption(ServerSideEncryption.AES256).acl(ObjectCannedACL.PRIVATE)).uploadId();
            String eTag1 = client.uploadPart(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).uploadId(uploadId)
                    .partNumber(1), RequestBody.fromBytes(part1)).eTag();
            String eTag2 = client.uploadPart(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).uploadId(uploadId)
                    .partNumber(2), RequestBody.fromBytes(part2)).eTag();
            assertThat(client.listParts(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).uploadId(uploadId)).parts())
                    .hasSize(2);
            client.completeMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(eTag1), p -> p.partNumber(2).eTag(eTag2))));
        }

        byte[] stored = system.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).asByteArray();
        assertThat(stored).hasSize(part1.length + part2.length);
        assertThat(java.util.Arrays.copyOfRange(stored, 0, part1.length)).isEqualTo(part1);
        assertThat(java.util.Arrays.copyOfRange(stored, part1.length, stored.length)).isEqualTo(part2);
        // S3Proxy's bookkeeping for the upload is gone; only the object is listed
        assertThat(system.listObjectsV2(b -> b.bucket(EmbeddedFixture.BUCKET).prefix("exp-15/2/")).contents())
                .extracting(o -> o.key()).containsExactly(key);
    }

    @Test
    void uploadCredentialsCanAbortTheirMultipartUpload() {
        String key = "exp-15/3/files/aborted.csv";
        try (S3Client client = fixture.client(issuer.issue(key, false, Access.UPLOAD, HOUR))) {
            String uploadId = client.createMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).uploadId();
            client.uploadPart(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).uploadId(uploadId).partNumber(1),
                    RequestBody.fromBytes(random(1000)));
            client.abortMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).uploadId(uploadId));
        }
        assertThat(system.listObjectsV2(b -> b.bucket(EmbeddedFixture.BUCKET).prefix("exp-15/3/")).contents()).isEmpty();
    }

    /** Beyond the contract's put and get: every other S3 operation on the key, another key or the bucket. */
    @Test
    void uploadCredentialsAreRefusedEverythingElse() {
        String key = "exp-15/4/files/mine.csv";
        String other = "exp-15/4/files/other.csv";
        put(other, "not yours");
        try (S3Client client = fixture.client(issuer.issue(key, false, Access.UPLOAD, HOUR))) {
            client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key), RequestBody.fromString("mine"));

            assertRefused(() -> client.createMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(other)));
            assertRefused(() -> client.headObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)));
            assertRefused(() -> client.deleteObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)));
            assertRefused(() -> client.listObjectsV2(b -> b.bucket(EmbeddedFixture.BUCKET)));
            assertRefused(() -> client.listObjectsV2(b -> b.bucket(EmbeddedFixture.BUCKET).prefix(key)));
            assertRefused(() -> client.headBucket(b -> b.bucket(EmbeddedFixture.BUCKET)));
            assertRefused(() -> client.listBuckets());
            assertRefused(() -> client.copyObject(b -> b.sourceBucket(EmbeddedFixture.BUCKET).sourceKey(other)
                    .destinationBucket(EmbeddedFixture.BUCKET).destinationKey(key)));
            assertRefused(() -> client.putObject(b -> b.bucket("other-bucket").key(key), RequestBody.fromString("x")));
        }
        assertThat(get(other)).isEqualTo("not yours");
        assertThat(get(key)).isEqualTo("mine");
    }

    /** Beyond the contract's puts and gets under the prefix: prefix credentials cannot list it. */
    @Test
    void slicedCredentialsCannotListTheirPrefix() {
        String prefix = "exp-15/5/files/sliced.csv_";
        try (S3Client client = fixture.client(issuer.issue(prefix, true, Access.UPLOAD, HOUR))) {
            client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(prefix + "part0001.csv"),
                    RequestBody.fromString("a"));
            assertRefused(() -> client.listObjectsV2(b -> b.bucket(EmbeddedFixture.BUCKET).prefix(prefix)));
        }
        assertThat(get(prefix + "part0001.csv")).isEqualTo("a");
    }

    /** Beyond the contract's get and put: head and ranged reads of the key, and no other S3 operation. */
    @Test
    void downloadCredentialsHeadAndRangeTheirKeyAndDoNothingElse() {
        String key = "exp-15/6/files/download.csv";
        put(key, "0123456789abcdef");
        try (S3Client client = fixture.client(issuer.issue(key, false, Access.DOWNLOAD, HOUR))) {
            assertThat(client.headObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).contentLength()).isEqualTo(16);

            ResponseBytes<GetObjectResponse> range =
                    client.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).range("bytes=4-7"));
            assertThat(range.asUtf8String()).isEqualTo("4567");
            assertThat(range.response().contentRange()).isEqualTo("bytes 4-7/16");
            assertThat(range.response().sdkHttpResponse().statusCode()).isEqualTo(206);

            assertRefused(() -> client.createMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)));
            assertRefused(() -> client.deleteObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)));
            assertRefused(() -> client.listObjectsV2(b -> b.bucket(EmbeddedFixture.BUCKET)));
        }
        assertThat(get(key)).isEqualTo("0123456789abcdef");
    }

    @Test
    void unknownKeysAndWrongSecretsAreRefused() {
        String key = "exp-15/7/files/x.csv";
        put(key, "x");
        IssuedCredentials issued = issuer.issue(key, false, Access.DOWNLOAD, HOUR);
        try (S3Client madeUp = fixture.client(AwsBasicCredentials.create("ASIAAAAAAAAAAAAAAAAA", "whatever"));
                S3Client wrongSecret = fixture.client(AwsBasicCredentials.create(issued.accessKeyId(),
                        "0000000000000000000000000000000000000000"));
                S3Client wrongSystemSecret = fixture.client(AwsBasicCredentials.create(EmbeddedFixture.ACCESS_KEY,
                        "wrong"))) {
            assertRefused(() -> madeUp.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)));
            assertRefused(() -> wrongSecret.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)));
            assertRefused(() -> wrongSystemSecret.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)));
        }
    }

    @Test
    void anonymousRequestsAreRefusedEvenForObjectsUploadedAsPublic() throws Exception {
        String key = "exp-15/8/files/public.csv";
        try (S3Client client = fixture.client(issuer.issue(key, false, Access.UPLOAD, HOUR))) {
            client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).acl(ObjectCannedACL.PUBLIC_READ),
                    RequestBody.fromString("x"));
        }
        assertThat(anonymousGet("/granary/" + key)).isEqualTo(403);
        assertThat(anonymousGet("/granary/")).isEqualTo(403);
        assertThat(anonymousGet("/granary?list-type=2")).isEqualTo(403);
        assertThat(anonymousGet("/")).isEqualTo(403);
    }

    private static int anonymousGet(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(fixture.endpoint().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static void assertRefused(Runnable request) {
        S3Exception e = catchThrowableOfType(S3Exception.class, request::run);
        assertThat(e).as("request should have been refused").isNotNull();
        SdkStoreClient.assertRefusal(e);
    }

    private static void put(String key, String content) {
        system.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key), RequestBody.fromString(content));
    }

    private static String get(String key) {
        return system.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).asUtf8String();
    }

    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
