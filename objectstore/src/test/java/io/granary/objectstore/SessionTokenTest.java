package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.granary.core.model.IssuedCredentials;
import io.granary.core.model.Token;
import io.granary.core.storage.FileService;
import io.granary.core.storage.FileService.PrepareRequest;
import io.granary.core.storage.FileService.FileView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The session token is part of a minted credential, as on AWS: without it, with an altered one, or with
 * another file's, a request is refused with AWS's error code and nothing is written. Real files prepared
 * through {@link FileService}, the AWS SDK (and plain HTTP for SigV2 and presigned URLs) over HTTP.
 */
class SessionTokenTest {

    static final Token MASTER = new Token(1, "master", "hash", true, false, false, false, Map.of(), Instant.EPOCH,
            Instant.EPOCH, null, null);
    static final String NO_SUCH_KEY_ID = "The AWS Access Key Id you provided does not exist in our records.";
    static final String INVALID_TOKEN = "The provided token is malformed or otherwise invalid.";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

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

    static FileView prepare(FileService files, String name, boolean sliced) {
        return files.prepare(MASTER, new PrepareRequest(name, null, null, false, false, false, sliced, List.of()), null);
    }

    @Test
    void anUploadWithoutItsSessionTokenIsAnUnknownKeyAndWritesNothing() {
        FileView file = prepare(files, "no-token.csv", false);
        IssuedCredentials c = file.credentials();
        try (S3Client client = fixture.client(AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()))) {
            assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(file.file().key()),
                    RequestBody.fromString("x")), 403, "InvalidAccessKeyId", NO_SUCH_KEY_ID);
            assertError(() -> client.createMultipartUpload(b -> b.bucket(EmbeddedFixture.BUCKET).key(file.file().key())),
                    403, "InvalidAccessKeyId", NO_SUCH_KEY_ID);
        }
        assertNothingStored(fixture, file.file().key());
        assertThat(system.listMultipartUploads(b -> b.bucket(EmbeddedFixture.BUCKET)).uploads()).isEmpty();
    }

    @Test
    void anAlteredSessionTokenIsInvalidAndWritesNothing() {
        FileView file = prepare(files, "altered.csv", false);
        IssuedCredentials c = file.credentials();
        String altered = (c.sessionToken().charAt(0) == 'A' ? "B" : "A") + c.sessionToken().substring(1);
        for (String token : List.of(altered, c.sessionToken() + "x", c.sessionToken().substring(1))) {
            try (S3Client client = fixture.client(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
                    token))) {
                assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(file.file().key()),
                        RequestBody.fromString("x")), 400, "InvalidToken", INVALID_TOKEN);
            }
        }
        assertNothingStored(fixture, file.file().key());
    }

    @Test
    void anotherFilesSessionTokenIsInvalidAndWritesNothing() {
        FileView mine = prepare(files, "mine.csv", false);
        FileView other = prepare(files, "other.csv", false);
        try (S3Client owner = fixture.client(other.credentials())) {
            owner.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(other.file().key()), RequestBody.fromString("other"));
        }
        IssuedCredentials c = mine.credentials();
        try (S3Client client = fixture.client(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
                other.credentials().sessionToken()))) {
            assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(mine.file().key()),
                    RequestBody.fromString("x")), 400, "InvalidToken", INVALID_TOKEN);
        }
        // the other file's key id with the other's token but this file's secret: the signature does not match
        try (S3Client client = fixture.client(AwsSessionCredentials.create(other.credentials().accessKeyId(),
                c.secretAccessKey(), other.credentials().sessionToken()))) {
            assertError(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(other.file().key()),
                    RequestBody.fromString("x")), 403, "SignatureDoesNotMatch", null);
        }
        assertNothingStored(fixture, mine.file().key());
        assertThat(system.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(other.file().key())).asUtf8String())
                .isEqualTo("other");
    }

    @Test
    void downloadCredentialsNeedTheirSessionTokenToo() {
        FileView file = prepare(files, "download.csv", false);
        try (S3Client uploader = fixture.client(file.credentials())) {
            uploader.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(file.file().key()), RequestBody.fromString("data"));
        }
        IssuedCredentials c = files.get(MASTER, file.file().id(), true).credentials();
        String key = file.file().key();
        try (S3Client good = fixture.client(c);
                S3Client none = fixture.client(AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
                S3Client altered = fixture.client(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
                        c.sessionToken() + "x"))) {
            assertThat(good.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).asUtf8String()).isEqualTo("data");
            assertError(() -> none.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)), 403,
                    "InvalidAccessKeyId", NO_SUCH_KEY_ID);
            assertError(() -> altered.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)), 400,
                    "InvalidToken", INVALID_TOKEN);
            // HEAD answers carry no body: the status says it
            assertThat(catchThrowableOfType(S3Exception.class,
                    () -> none.headObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key))).statusCode()).isEqualTo(403);
            assertThat(catchThrowableOfType(S3Exception.class,
                    () -> altered.headObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key))).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void aUrlPresignedWithMintedCredentialsNeedsItsSessionToken() throws Exception {
        FileView file = prepare(files, "presigned.csv", false);
        try (S3Client uploader = fixture.client(file.credentials())) {
            uploader.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(file.file().key()), RequestBody.fromString("data"));
        }
        IssuedCredentials c = files.get(MASTER, file.file().id(), true).credentials();
        String token = c.sessionToken();
        URI withToken = presign(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), token), file.file().key());
        assertThat(withToken.getRawQuery()).contains("X-Amz-Security-Token=");
        assertThat(get(withToken).body()).isEqualTo("data");

        URI without = presign(AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()), file.file().key());
        assertErrorBody(get(without), 403, "InvalidAccessKeyId");
        URI altered = presign(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), token + "x"),
                file.file().key());
        assertErrorBody(get(altered), 400, "InvalidToken");
    }

    @Test
    void signatureVersion2RequestsNeedTheSessionTokenToo() throws Exception {
        FileView file = prepare(files, "v2.csv", false);
        IssuedCredentials c = file.credentials();
        String key = file.file().key();
        HttpResponse<String> withoutToken = HTTP.send(v2Put(c, key, null), HttpResponse.BodyHandlers.ofString());
        assertErrorBody(withoutToken, 403, "InvalidAccessKeyId");
        HttpResponse<String> alteredToken = HTTP.send(v2Put(c, key, c.sessionToken() + "x"),
                HttpResponse.BodyHandlers.ofString());
        assertErrorBody(alteredToken, 400, "InvalidToken");
        assertNothingStored(fixture, key);

        HttpResponse<String> withToken = HTTP.send(v2Put(c, key, c.sessionToken()), HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);
        assertThat(system.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).asUtf8String()).isEqualTo("v2");
    }

    /** A PutObject signed with AWS signature version 2, the session token (when given) in x-amz-security-token. */
    private static HttpRequest v2Put(IssuedCredentials c, String key, String token) throws Exception {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.US)
                .format(ZonedDateTime.now(ZoneOffset.UTC));
        String amzHeaders = token == null ? "" : "x-amz-security-token:" + token + "\n";
        String toSign = "PUT\n\ntext/csv\n" + date + "\n" + amzHeaders + "/" + EmbeddedFixture.BUCKET + "/" + key;
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(c.secretAccessKey().getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fixture.endpoint() + "/" + EmbeddedFixture.BUCKET + "/" + key))
                .header("Date", date).header("Content-Type", "text/csv")
                .header("Authorization", "AWS " + c.accessKeyId() + ":" + signature)
                .PUT(HttpRequest.BodyPublishers.ofString("v2"));
        if (token != null) {
            b.header("x-amz-security-token", token);
        }
        return b.build();
    }

    private static URI presign(software.amazon.awssdk.auth.credentials.AwsCredentials credentials, String key)
            throws Exception {
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(fixture.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(credentials))
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                        .pathStyleAccessEnabled(true).build()).build()) {
            return presigner.presignGetObject(b -> b.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(EmbeddedFixture.BUCKET).key(key))).url().toURI();
        }
    }

    static HttpResponse<String> get(URI url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An S3 error answer with this status and code (plain HTTP: the XML body as S3 clients parse it). */
    static void assertErrorBody(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains("<Code>" + code + "</Code>");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("xml"));
    }

    /** The SDK sees S3's error: this status, code and (unless null) message. */
    static void assertError(Runnable request, int status, String code, String message) {
        S3Exception e = catchThrowableOfType(S3Exception.class, request::run);
        assertThat(e).as("request should have been refused").isNotNull();
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
        if (message != null) {
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
        }
    }

    /** Neither the store nor its directory holds anything at or under {@code key}. */
    static void assertNothingStored(EmbeddedFixture fixture, String key) {
        assertThat(fixture.storage.objectStore().list(key)).isEmpty();
        Path path = fixture.root.resolve(EmbeddedFixture.BUCKET).resolve(key);
        assertThat(Files.exists(path)).as(path + " exists").isFalse();
    }
}
