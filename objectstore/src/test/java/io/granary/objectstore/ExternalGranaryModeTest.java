package io.granary.objectstore;

import static io.granary.objectstore.ScopedCredentialsTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.port.ObjectStore;
import io.granary.objectstore.ExternalS3Config.CredentialsMode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An external store that is a Granary embedded S3 endpoint run elsewhere and sharing the catalog: a real
 * {@link EmbeddedS3} over HTTP, reached only through {@link ExternalObjectStorage} and the AWS SDK.
 */
class ExternalGranaryModeTest {

    private static final Duration HOUR = Duration.ofHours(1);

    @TempDir
    static Path dir;
    static EmbeddedFixture fixture;
    static ExternalObjectStorage external;

    @BeforeAll
    static void start() {
        fixture = new EmbeddedFixture(dir);
        external = ExternalObjectStorage.connect(config(EmbeddedFixture.BUCKET, EmbeddedFixture.SECRET), fixture.catalog);
    }

    @AfterAll
    static void stop() {
        external.close();
        fixture.close();
    }

    static ExternalS3Config config(String bucket, String secret) {
        return new ExternalS3Config(fixture.endpoint(), null, bucket, EmbeddedFixture.ACCESS_KEY, secret, true,
                CredentialsMode.GRANARY, null, null);
    }

    @Test
    void theServerUsesTheStoreRemotelyWithItsSystemKey() throws Exception {
        ObjectStore store = external.objectStore();
        store.put("exp-15/1/files/server.csv", new ByteArrayInputStream(bytes("a,b\n1,2\n")), 8);

        assertThat(store.stat("exp-15/1/files/server.csv")).get().extracting(ObjectStore.ObjectInfo::size).isEqualTo(8L);
        // remote: nothing may be read in place, even though this test happens to share the disk
        assertThat(store.localPath("exp-15/1/files/server.csv")).isEmpty();
        try (InputStream in = store.open("exp-15/1/files/server.csv").orElseThrow()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a,b\n1,2\n");
        }
        assertThat(store.endpoint()).isEqualTo(fixture.endpoint());
        assertThat(store.isHealthy()).isTrue();
        assertThat(external.credentialIssuer()).isInstanceOf(EmbeddedCredentialIssuer.class);
    }

    @Test
    void mintedCredentialsUploadAndDownloadTheirObjectOnly() {
        String key = "exp-15/1/files/minted.csv";
        String other = "exp-15/1/files/neighbour.csv";
        external.objectStore().put(other, new ByteArrayInputStream(bytes("not yours")), 9);

        IssuedCredentials upload = external.credentialIssuer().issue(key, false, Access.UPLOAD, HOUR);
        assertThat(upload.accessKeyId()).startsWith("ASIA");
        try (S3Client client = fixture.client(upload)) {
            client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key), RequestBody.fromString("mine"));
            assertRefused(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(other),
                    RequestBody.fromString("overwrite")));
            assertRefused(() -> client.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)));
        }

        IssuedCredentials download = external.credentialIssuer().issue(key, false, Access.DOWNLOAD, HOUR);
        try (S3Client client = fixture.client(download)) {
            assertThat(client.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(key)).asUtf8String())
                    .isEqualTo("mine");
            assertRefused(() -> client.getObjectAsBytes(b -> b.bucket(EmbeddedFixture.BUCKET).key(other)));
            assertRefused(() -> client.putObject(b -> b.bucket(EmbeddedFixture.BUCKET).key(key),
                    RequestBody.fromString("overwrite")));
        }
        assertThat(fixture.catalog.findCredential(upload.accessKeyId())).isPresent();
    }

    @Test
    void aMissingBucketIsAClearErrorAtStart() {
        assertThatThrownBy(() -> ExternalObjectStorage.connect(config("no-such-bucket", EmbeddedFixture.SECRET),
                fixture.catalog))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-bucket").hasMessageContaining(fixture.endpoint().toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aWrongSecretIsAClearErrorAtStartThatDoesNotShowIt() {
        assertThatThrownBy(() -> ExternalObjectStorage.connect(config(EmbeddedFixture.BUCKET, "wrong-secret-xyz"),
                fixture.catalog))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(EmbeddedFixture.BUCKET).hasMessageContaining(fixture.endpoint().toString())
                .hasMessageContaining("refuses access key " + EmbeddedFixture.ACCESS_KEY)
                .hasMessageNotContaining("wrong-secret-xyz");
    }

    @Test
    void anUnreachableEndpointIsAClearErrorAtStart() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port);
        ExternalS3Config config = new ExternalS3Config(closed, null, "granary", "k", "s", true,
                CredentialsMode.PRESIGNED, null, null);
        assertThatThrownBy(() -> ExternalObjectStorage.connect(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Bucket 'granary' at " + closed).hasMessageContaining("cannot be reached");
    }

    @Test
    void granaryModeNeedsTheCatalog() {
        assertThatThrownBy(() -> ExternalObjectStorage.connect(config(EmbeddedFixture.BUCKET, EmbeddedFixture.SECRET)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catalog");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
