package io.granary.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.granary.core.model.Access;
import io.granary.core.model.IssuedCredentials;
import io.granary.core.model.ScopedCredential;
import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.CredentialIssuerContract;
import io.granary.core.port.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The embedded issuer on the embedded S3 endpoint that checks its credentials: the contract, and what only it
 * does (the shape of its keys, the scope it records in the catalog). The endpoint's refusal of every other S3
 * operation is in {@link ScopedCredentialsTest}.
 */
class EmbeddedCredentialIssuerTest extends CredentialIssuerContract {

    private static final Duration HOUR = Duration.ofHours(1);

    private EmbeddedFixture fixture;

    @Override
    protected CredentialIssuer openIssuer(Path dir) {
        fixture = new EmbeddedFixture(dir);
        return fixture.storage.credentialIssuer();
    }

    @Override
    protected void closeIssuer(CredentialIssuer issuer) {
        fixture.close();
    }

    @Override
    protected ObjectStore store() {
        return fixture.storage.objectStore();
    }

    @Override
    protected Catalog catalog() {
        return fixture.catalog;
    }

    @Override
    protected StoreClient client(IssuedCredentials credentials) {
        return fixture.storeClient(credentials);
    }

    /** Expired credentials are what the catalog's cleanup removes (no other test here lets any expire). */
    @Override
    protected void expired(List<IssuedCredentials> credentials) {
        assertThat(fixture.catalog.deleteExpiredCredentials(Instant.now())).isEqualTo(credentials.size());
        for (IssuedCredentials c : credentials) {
            assertThat(fixture.catalog.findCredential(c.accessKeyId())).isEmpty();
        }
    }

    @Test
    void mintedCredentialsLookLikeStsAndOnlyTheScopeIsStored() {
        IssuedCredentials issued = issuer.issue("exp-15/1/files/a.csv", false, Access.UPLOAD, HOUR);

        assertThat(issued.accessKeyId()).matches("ASIA[A-Z0-9]{16}");
        assertThat(issued.secretAccessKey()).hasSize(40);
        assertThat(issued.sessionToken()).hasSize(64);
        assertThat(issued.expiration()).isBetween(Instant.now().plus(HOUR).minusSeconds(60), Instant.now().plus(HOUR));
        ScopedCredential stored = fixture.catalog.findCredential(issued.accessKeyId()).orElseThrow();
        assertThat(stored).isEqualTo(new ScopedCredential(issued.accessKeyId(), issued.sessionToken(),
                EmbeddedFixture.BUCKET, "exp-15/1/files/a.csv", false, Access.UPLOAD, issued.expiration()));
        assertThat(issuer.issue("k", false, Access.UPLOAD, HOUR).accessKeyId()).isNotEqualTo(issued.accessKeyId());
    }
}
