package io.granary.objectstore;

import static io.granary.objectstore.SessionTokenTest.MASTER;
import static io.granary.objectstore.SessionTokenTest.assertError;
import static io.granary.objectstore.SessionTokenTest.assertErrorBody;
import static io.granary.objectstore.SessionTokenTest.assertNothingStored;
import static io.granary.objectstore.SessionTokenTest.get;
import static io.granary.objectstore.SessionTokenTest.prepare;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.storage.FileService;
import io.granary.core.storage.FileService.FileView;
import io.granary.objectstore.ExternalS3Config.CredentialsMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Deleting a file ends its upload and download credentials and its presigned URL on Granary's endpoint:
 * refused with AccessDenied once the record is gone, even if bytes reappear at its key, and nothing is
 * written. Files go through the real {@link FileService} delete.
 */
class DeletedFileTest {

    private static final String DENIED = "Forbidden";

    @TempDir
    static Path dir;
    static EmbeddedFixture fixture;
    static FileService files;
    static S3Client system;

    @BeforeAll
    static void start() {
        fixture = new EmbeddedFixture(dir);
        files = new FileService(fixture.catalog, fixture.storage.objectStore(), fixture.storage.credentialIssuer(),
                Clock.systemUTC(), 1);
        system = fixture.systemClient();
    }

    @AfterAll
    static void stop() {
        system.close();
        fixture.close();
    }

    @Test
    void aDeletedFilesUploadCredentialsNoLongerWriteItsKey() {
        FileView file = prepare(files, "deleted-upload.csv", false);
        String key = file.file().key();
        try (S3Client client = fixture.client(file.credentials())) {
            client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key), RequestBody.fromString("v1"));
            String uploadId = client.createMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).uploadId();
            String eTag = client.uploadPart(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).uploadId(uploadId)
                    .partNumber(1), RequestBody.fromString("part")).eTag();

            files.delete(MASTER, file.file().id());
            assertNothingStored(fixture, key);

            assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key),
                    RequestBody.fromString("v2")), 403, "AccessDenied", DENIED);
            assertError(() -> client.uploadPart(b -> b.bucket(EmbeddedFixture.BUCKET).key(key).uploadId(uploadId)
                    .partNumber(2), RequestBody.fromString("more")), 403, "AccessDenied", DENIED);
            assertError(() -> client.completeMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)
                    .uploadId(uploadId).multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(eTag)))),
                    403, "AccessDenied", DENIED);
            assertError(() -> client.createMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)),
                    403, "AccessDenied", DENIED);
        }
        assertNothingStored(fixture, key);
        assertThat(fixture.catalog.findFile(file.file().id())).isEmpty();
    }

    @Test
    void aDeletedFilesDownloadCredentialsAndUrlAreRefusedEvenIfItsBytesReappear() throws Exception {
        FileView file = prepare(files, "deleted-download.csv", false);
        String key = file.file().key();
        try (S3Client uploader = fixture.client(file.credentials())) {
            uploader.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key), RequestBody.fromString("data"));
        }
        FileView shown = files.get(MASTER, file.file().id(), true);
        URI url = shown.url();
        assertThat(url.getRawQuery()).contains("X-Amz-Credential=" + EmbeddedFixture.ACCESS_KEY + "-presign%2F");
        try (S3Client reader = fixture.client(shown.credentials())) {
            assertThat(reader.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).asUtf8String())
                    .isEqualTo("data");
            assertThat(get(url).body()).isEqualTo("data");

            files.delete(MASTER, file.file().id());

            assertError(() -> reader.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)), 403,
                    "AccessDenied", DENIED);
            assertErrorBody(get(url), 403, "AccessDenied");
            // bytes written at the key afterwards (an upload racing the delete) are still not served
            system.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key), RequestBody.fromString("late"));
            assertError(() -> reader.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)), 403,
                    "AccessDenied", DENIED);
            assertThat(catchThrowableOfType(S3Exception.class,
                    () -> reader.headObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key))).statusCode()).isEqualTo(403);
            assertErrorBody(get(url), 403, "AccessDenied");
        }
        system.deleteObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key));
    }

    @Test
    void aDeletedSlicedFilesCredentialsNoLongerWriteUnderItsPrefix() {
        FileView file = prepare(files, "deleted-sliced.csv", true);
        String prefix = file.file().key();
        try (S3Client client = fixture.client(file.credentials())) {
            client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(prefix + "part0"), RequestBody.fromString("a"));
            client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(prefix + "manifest"),
                    RequestBody.fromString("{\"entries\":[]}"));

            files.delete(MASTER, file.file().id());

            assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(prefix + "part1"),
                    RequestBody.fromString("b")), 403, "AccessDenied", DENIED);
            assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(prefix + "manifest"),
                    RequestBody.fromString("{}")), 403, "AccessDenied", DENIED);
        }
        assertNothingStored(fixture, prefix);
    }

    @Test
    void credentialsMintedForAFileThatIsGoneAreRefused() {
        // what a refresh racing a delete could mint: the record decides, not the credential
        FileView file = prepare(files, "gone.csv", false);
        String key = file.file().key();
        files.delete(MASTER, file.file().id());
        IssuedCredentials late = fixture.storage.credentialIssuer().issue(key, false, Access.UPLOAD, Duration.ofHours(1));
        try (S3Client client = fixture.client(late)) {
            assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key),
                    RequestBody.fromString("x")), 403, "AccessDenied", DENIED);
        }
        assertNothingStored(fixture, key);
    }

    @Test
    void anExpiredFilesCredentialsAreRefused() {
        Clock sixteenDaysAgo = Clock.fixed(Instant.now().minus(Duration.ofDays(16)), ZoneOffset.UTC);
        FileService past = new FileService(fixture.catalog, fixture.storage.objectStore(),
                fixture.storage.credentialIssuer(), sixteenDaysAgo, 1);
        FileView file = prepare(past, "expired.csv", false);
        assertThat(file.file().isExpired(Instant.now())).isTrue();
        assertThat(file.credentials().expiration()).isAfter(Instant.now());
        try (S3Client client = fixture.client(file.credentials())) {
            assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(file.file().key()),
                    RequestBody.fromString("x")), 403, "AccessDenied", DENIED);
        }
        assertNothingStored(fixture, file.file().key());
    }

    @Test
    void thePresignKeyOnlyReadsAndPutsSingleObjects() {
        String key = "exp-15/1/files/not-a-file-key.csv";
        system.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key), RequestBody.fromString("kept"));
        String presignKey = ScopedBlobStoreLocator.presignAccessKey(EmbeddedFixture.ACCESS_KEY);
        try (S3Client presign = fixture.client(AwsBasicCredentials.create(presignKey,
                ScopedBlobStoreLocator.presignSecret(EmbeddedFixture.ACCESS_KEY, EmbeddedFixture.SECRET)))) {
            assertThat(presign.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).asUtf8String())
                    .isEqualTo("kept");
            assertError(() -> presign.deleteObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)), 403,
                    "AccessDenied", DENIED);
            assertError(() -> presign.createMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(key + "2")),
                    403, "AccessDenied", DENIED);
            assertError(() -> presign.copyObject(b -> b.sourceBucket(EmbeddedFixture.BUCKET).sourceKey(key)
                    .destinationBucket(EmbeddedFixture.BUCKET).destinationKey(key + "3")), 403, "AccessDenied", DENIED);
            assertThat(catchThrowableOfType(S3Exception.class,
                    () -> presign.listObjectsV2(b -> b.bucket(EmbeddedFixture.BUCKET))).statusCode()).isEqualTo(403);
        }
        assertThat(fixture.storage.objectStore().list(key)).hasSize(1);
        system.deleteObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key));
    }

    @Test
    void aNodeInGranaryModeSignsUrlsThatEndWithTheirFile() throws Exception {
        ExternalS3Config config = new ExternalS3Config(fixture.endpoint(), null, EmbeddedFixture.BUCKET,
                EmbeddedFixture.ACCESS_KEY, EmbeddedFixture.SECRET, true, CredentialsMode.GRANARY, null, null);
        try (ExternalObjectStorage node = ExternalObjectStorage.connect(config, fixture.catalog)) {
            FileService nodeFiles = new FileService(fixture.catalog, node.objectStore(), node.credentialIssuer(),
                    Clock.systemUTC(), 1);
            FileView file = prepare(nodeFiles, "node.csv", false);
            try (S3Client uploader = fixture.client(file.credentials())) {
                uploader.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(file.file().key()),
                        RequestBody.fromString("from a node"));
            }
            URI url = nodeFiles.get(MASTER, file.file().id(), false).url();
            assertThat(get(url).body()).isEqualTo("from a node");
            nodeFiles.delete(MASTER, file.file().id());
            assertErrorBody(get(url), 403, "AccessDenied");
            assertNothingStored(fixture, file.file().key());
        }
    }
}
