package io.granary.objectstore;

import static io.granary.objectstore.ScopedCredentialsTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

class PresignAndExpiryTest {

    @TempDir
    static Path dir;
    static EmbeddedFixture fixture;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        fixture = new EmbeddedFixture(dir);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void presignedUrlsAndMintedCredentialsStopWorkingWhenTheyExpire() throws Exception {
        var store = fixture.storage.objectStore();
        var issuer = fixture.storage.credentialIssuer();
        store.put("exp-1/report.csv", new ByteArrayInputStream("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)), -1);

        // presigned URLs carry whole-second times, so a URL signed late in a second has up to a second less
        long start = System.nanoTime();
        URI url = store.presignGet("exp-1/report.csv", Duration.ofSeconds(3));
        IssuedCredentials upload = issuer.issue("exp-1/upload.csv", false, Access.UPLOAD, Duration.ofSeconds(2));
        IssuedCredentials download = issuer.issue("exp-1/report.csv", false, Access.DOWNLOAD, Duration.ofSeconds(2));

        HttpResponse<String> fresh = get(url);
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(fresh.body()).isEqualTo("a,b\n1,2\n");
        try (S3Client uploader = fixture.client(upload); S3Client downloader = fixture.client(download)) {
            uploader.putObject(b -> b.bucket("granary").key("exp-1/upload.csv"), RequestBody.fromString("x"));
            assertThat(downloader.getObjectAsBytes(b -> b.bucket("granary").key("exp-1/report.csv")).asUtf8String())
                    .isEqualTo("a,b\n1,2\n");

            Thread.sleep(Math.max(0, Duration.ofMillis(3100).minusNanos(System.nanoTime() - start).toMillis()));

            assertThat(get(url).statusCode()).isEqualTo(403);
            assertRefused(() -> uploader.putObject(b -> b.bucket("granary").key("exp-1/upload.csv"),
                    RequestBody.fromString("late")));
            assertRefused(() -> downloader.getObjectAsBytes(b -> b.bucket("granary").key("exp-1/report.csv")));
        }
        assertThat(fixture.catalog.deleteExpiredCredentials(java.time.Instant.now())).isEqualTo(2);
    }

    @Test
    void anonymousRequestsAreRefusedEvenForObjectsUploadedAsPublic() throws Exception {
        String key = "exp-2/public.csv";
        try (S3Client client = fixture.client(fixture.storage.credentialIssuer()
                .issue(key, false, Access.UPLOAD, Duration.ofHours(1)))) {
            client.putObject(b -> b.bucket("granary").key(key).acl(ObjectCannedACL.PUBLIC_READ),
                    RequestBody.fromString("x"));
        }
        assertThat(get(fixture.endpoint().resolve("/granary/" + key)).statusCode()).isEqualTo(403);
        assertThat(get(fixture.endpoint().resolve("/granary/")).statusCode()).isEqualTo(403);
        assertThat(get(fixture.endpoint().resolve("/granary?list-type=2")).statusCode()).isEqualTo(403);
        assertThat(get(fixture.endpoint().resolve("/")).statusCode()).isEqualTo(403);
    }

    private static HttpResponse<String> get(URI url) throws Exception {
        return http.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
