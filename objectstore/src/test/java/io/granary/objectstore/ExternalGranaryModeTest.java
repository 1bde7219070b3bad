package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.port.ObjectStore;
import io.granary.objectstore.ExternalS3Config.CredentialsMode;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external store that is a Granary embedded S3 endpoint run elsewhere and sharing the catalog: a real
 * {@link EmbeddedS3} over HTTP, reached only through {@link ExternalObjectStorage} and the AWS SDK.
 */
class ExternalGranaryModeTest {

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

    /** What the store and the issuer do is in RemoteS3ObjectStoreTest and GranaryModeCredentialIssuerTest. */
    @Test
    void granaryModeTalksToTheEndpointWithTheSystemKeyAndMintsEmbeddedKeys() {
        ObjectStore store = external.objectStore();
        assertThat(store.endpoint()).isEqualTo(fixture.endpoint());
        assertThat(store.isHealthy()).isTrue();
        assertThat(external.credentialIssuer()).isInstanceOf(EmbeddedCredentialIssuer.class);
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
}
