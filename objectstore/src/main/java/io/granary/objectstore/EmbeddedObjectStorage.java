package io.granary.objectstore;

import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.ObjectStore;

/**
 * The object storage of a single-node Granary: the embedded S3 endpoint, an {@link ObjectStore} talking
 * to it with the system key, and a {@link CredentialIssuer} whose credentials it honours. Close it to
 * stop the endpoint (the catalog is not closed).
 */
public final class EmbeddedObjectStorage implements AutoCloseable {

    private static final String REGION = "us-east-1";

    private final EmbeddedS3 s3;
    private final S3ObjectStore objectStore;
    private final EmbeddedCredentialIssuer credentialIssuer;

    private EmbeddedObjectStorage(EmbeddedS3 s3, S3ObjectStore objectStore, EmbeddedCredentialIssuer issuer) {
        this.s3 = s3;
        this.objectStore = objectStore;
        this.credentialIssuer = issuer;
    }

    /** Starts the endpoint; credentials are recorded in and checked against {@code catalog}. */
    public static EmbeddedObjectStorage start(EmbeddedS3.Config config, Catalog catalog) {
        return start(config, catalog, S3RequestListener.NONE);
    }

    /** As {@link #start(EmbeddedS3.Config, Catalog)}, telling {@code listener} of every request the endpoint answered. */
    public static EmbeddedObjectStorage start(EmbeddedS3.Config config, Catalog catalog, S3RequestListener listener) {
        EmbeddedS3 s3 = EmbeddedS3.start(config, catalog, listener);
        try {
            S3ObjectStore store = S3ObjectStore.onGranaryEndpoint(s3.endpoint(), s3.endpoint(), config.bucket(), REGION,
                    config.systemAccessKey(), config.systemSecret(), true, config.root());
            return new EmbeddedObjectStorage(s3, store,
                    new EmbeddedCredentialIssuer(catalog, config.bucket(), config.systemSecret()));
        } catch (RuntimeException e) {
            s3.close();
            throw e;
        }
    }

    public EmbeddedS3 s3() {
        return s3;
    }

    public ObjectStore objectStore() {
        return objectStore;
    }

    public CredentialIssuer credentialIssuer() {
        return credentialIssuer;
    }

    @Override
    public void close() {
        try {
            objectStore.close();
        } finally {
            s3.close();
        }
    }
}
