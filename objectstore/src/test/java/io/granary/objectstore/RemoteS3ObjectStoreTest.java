package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.error.GranaryException;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.ObjectStoreContract;
import io.granary.objectstore.ExternalS3Config.CredentialsMode;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A remote store: S3ObjectStore as a node connects to an external S3 ({@link ExternalObjectStorage}); the store
 * is a real embedded endpoint reached over HTTP only, so nothing is read in place even though it shares the disk.
 */
class RemoteS3ObjectStoreTest extends ObjectStoreContract {

    private EmbeddedFixture fixture;
    private ExternalObjectStorage external;

    @Override
    protected ObjectStore openStore(Path dir) {
        fixture = new EmbeddedFixture(dir);
        external = ExternalObjectStorage.connect(fixture.external(CredentialsMode.PRESIGNED));
        return external.objectStore();
    }

    @Override
    protected void closeStore(ObjectStore store) {
        try {
            external.close();
        } finally {
            fixture.close();
        }
    }

    @Override
    protected boolean readsInPlace() {
        return false;
    }

    @Test
    void anUnreachableStoreIsUnhealthyAndItsErrorsNameTheOperationButNotTheSecret() throws Exception {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        try (S3ObjectStore down = new S3ObjectStore(URI.create("http://127.0.0.1:" + freePort), "granary", null,
                EmbeddedFixture.ACCESS_KEY, EmbeddedFixture.SECRET, null)) {
            assertThat(down.isHealthy()).isFalse();
            assertThatThrownBy(() -> down.stat("x"))
                    .isInstanceOf(GranaryException.class)
                    .hasMessageContaining("stat of 'x'")
                    .hasMessageNotContaining(EmbeddedFixture.SECRET);
        }
    }

    @Test
    void aRefusedKeyIsUnhealthyAndItsErrorsSayHttp403ButNotTheSecret() {
        try (S3ObjectStore wrongKey = new S3ObjectStore(fixture.endpoint(), "granary", null, EmbeddedFixture.ACCESS_KEY,
                "wrong-secret", null)) {
            assertThat(wrongKey.isHealthy()).isFalse();
            assertThatThrownBy(() -> wrongKey.list("exp-5/"))
                    .isInstanceOf(GranaryException.class)
                    .hasMessageContaining("HTTP 403")
                    .hasMessageNotContaining("wrong-secret");
        }
    }
}
