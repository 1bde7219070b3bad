package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.CredentialIssuerContract;
import io.granary.core.port.ObjectStore;
import io.granary.objectstore.ExternalS3Config.CredentialsMode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The issuer of {@code --s3-credentials granary}: a node mints keys for another Granary's embedded endpoint that
 * shares its catalog, as {@link ExternalObjectStorage} wires it (the store's bucket and system secret from the
 * config); the endpoint is real and reached over HTTP only.
 */
class GranaryModeCredentialIssuerTest extends CredentialIssuerContract {

    private EmbeddedFixture fixture;
    private ExternalObjectStorage external;

    @Override
    protected CredentialIssuer openIssuer(Path dir) {
        fixture = new EmbeddedFixture(dir);
        external = ExternalObjectStorage.connect(fixture.external(CredentialsMode.GRANARY), fixture.catalog);
        return external.credentialIssuer();
    }

    @Override
    protected void closeIssuer(CredentialIssuer issuer) {
        try {
            external.close();
        } finally {
            fixture.close();
        }
    }

    @Override
    protected ObjectStore store() {
        return external.objectStore();
    }

    @Override
    protected Catalog catalog() {
        return fixture.catalog;
    }

    @Override
    protected StoreClient client(IssuedCredentials credentials) {
        return fixture.storeClient(credentials);
    }

    @Test
    void mintedCredentialsLookLikeStsAndAreRecordedInTheSharedCatalog() {
        IssuedCredentials upload = issuer.issue(key("minted.csv"), false, Access.UPLOAD, Duration.ofHours(1));

        assertThat(upload.accessKeyId()).startsWith("ASIA");
        assertThat(fixture.catalog.findCredential(upload.accessKeyId())).isPresent();
    }
}
