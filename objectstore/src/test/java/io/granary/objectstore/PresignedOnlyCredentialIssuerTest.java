package io.granary.objectstore;

import io.granary.core.model.IssuedCredentials;
import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.CredentialIssuerContract;
import io.granary.core.port.ObjectStore;
import io.granary.objectstore.ExternalS3Config.CredentialsMode;
import java.nio.file.Path;

/**
 * The issuer of {@code --s3-credentials presigned}, as {@link ExternalObjectStorage} wires it for a store without
 * STS: it mints nothing, and every test of the contract checks that it refuses to.
 */
class PresignedOnlyCredentialIssuerTest extends CredentialIssuerContract {

    private EmbeddedFixture fixture;
    private ExternalObjectStorage external;

    @Override
    protected CredentialIssuer openIssuer(Path dir) {
        fixture = new EmbeddedFixture(dir);
        external = ExternalObjectStorage.connect(fixture.external(CredentialsMode.PRESIGNED));
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
        throw new AssertionError("a presigned-only issuer hands out no credentials to use");
    }
}
