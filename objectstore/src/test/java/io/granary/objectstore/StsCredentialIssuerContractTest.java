package io.granary.objectstore;

import io.granary.core.model.IssuedCredentials;
import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.CredentialIssuerContract;
import io.granary.core.port.ObjectStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * The STS issuer against an STS endpoint that mints as STS does: new keys on every call, valid for the
 * {@code DurationSeconds} asked. No store that checks STS credentials (AWS S3, MinIO) runs here, so the contract
 * checks what the issuer itself promises; what it asks STS for is in {@link StsCredentialIssuerTest}.
 */
class StsCredentialIssuerContractTest extends CredentialIssuerContract {

    private StsEndpoint sts;

    @Override
    protected CredentialIssuer openIssuer(Path dir) {
        sts = StsEndpoint.start(call -> new StsEndpoint.Answer(200, StsEndpoint.success(call.params().get("Action"),
                "ASIA" + random(16), random(40), random(64),
                Instant.now().plusSeconds(Long.parseLong(call.params().get("DurationSeconds"))))));
        return StsCredentialIssuer.create(sts.endpoint(), "us-east-1", "AKIAGRANARYSERVER01",
                "server-secret-never-shown-0123456789abcd", StsCredentialIssuer.Mode.FEDERATION, "granary-data", null);
    }

    @Override
    protected void closeIssuer(CredentialIssuer issuer) {
        try {
            ((StsCredentialIssuer) issuer).close();
        } finally {
            sts.close();
        }
    }

    @Override
    protected boolean storeChecksCredentials() {
        return false;
    }

    @Override
    protected ObjectStore store() {
        throw new UnsupportedOperationException("no store that checks STS credentials runs here");
    }

    @Override
    protected Catalog catalog() {
        throw new UnsupportedOperationException("no store that checks STS credentials runs here");
    }

    /** STS credentials cannot be revoked: they only expire. */
    @Override
    protected boolean credentialsEndWithTheirFile() {
        return false;
    }

    @Override
    protected StoreClient client(IssuedCredentials credentials) {
        throw new UnsupportedOperationException("no store that checks STS credentials runs here");
    }

    private static String random(int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            sb.append(UUID.randomUUID().toString().replace("-", "").toUpperCase());
        }
        return sb.substring(0, length);
    }
}
