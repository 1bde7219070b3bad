package io.granary.objectstore;

import io.granary.core.port.Catalog;
import io.granary.core.port.CredentialIssuer;
import io.granary.core.port.ObjectStore;
import java.net.URI;
import java.util.Objects;

/**
 * The object storage of a scale-out Granary: a bucket in an S3-compatible store run elsewhere, an
 * {@link ObjectStore} talking to it with the server's own key, and the {@link CredentialIssuer} the
 * configured {@link ExternalS3Config.CredentialsMode} calls for:
 *
 * <ul>
 * <li>{@code sts-federation}, {@code sts-assume-role}: a {@link StsCredentialIssuer}; its STS endpoint is the
 *     store's own endpoint (MinIO and Ceph RGW serve STS there), or AWS STS of the region for AWS S3 (no
 *     endpoint, or an {@code *.amazonaws.com} one);</li>
 * <li>{@code presigned}: {@link CredentialIssuer#presignedOnly()}, nothing is minted;</li>
 * <li>{@code granary}: the store is another Granary's embedded endpoint sharing this server's catalog, whose
 *     system secret is the configured secret key: an {@link EmbeddedCredentialIssuer} mints keys it honours.</li>
 * </ul>
 *
 * Close it to close the S3 and STS clients (the store and the catalog are left alone).
 */
public final class ExternalObjectStorage implements AutoCloseable {

    private final ExternalS3Config config;
    private final S3ObjectStore objectStore;
    private final CredentialIssuer credentialIssuer;

    private ExternalObjectStorage(ExternalS3Config config, S3ObjectStore objectStore, CredentialIssuer issuer) {
        this.config = config;
        this.objectStore = objectStore;
        this.credentialIssuer = issuer;
    }

    /** {@link #connect(ExternalS3Config, Catalog)} for a mode other than {@code granary}. */
    public static ExternalObjectStorage connect(ExternalS3Config config) {
        return connect(config, null);
    }

    /**
     * Connects and checks that the bucket exists and the key may use it.
     *
     * @param catalog where minted credentials are recorded; needed (only) in {@code granary} mode
     * @throws IllegalStateException when the bucket is missing, refused or unreachable (the message names
     *     endpoint and bucket)
     */
    public static ExternalObjectStorage connect(ExternalS3Config config, Catalog catalog) {
        Objects.requireNonNull(config, "config");
        if (config.credentials() == ExternalS3Config.CredentialsMode.GRANARY && catalog == null) {
            throw new IllegalArgumentException("Credentials mode granary needs the catalog the Granary store checks");
        }
        S3ObjectStore store = config.credentials() == ExternalS3Config.CredentialsMode.GRANARY
                ? S3ObjectStore.onGranaryEndpoint(config.endpoint(), config.publicEndpoint(), config.bucket(),
                        config.region(), config.accessKey(), config.secretKey(), config.pathStyle(), null)
                : new S3ObjectStore(config.endpoint(), config.publicEndpoint(), config.bucket(), config.region(),
                        config.accessKey(), config.secretKey(), config.pathStyle(), null);
        try {
            store.checkBucket();
            return new ExternalObjectStorage(config, store, issuer(config, catalog));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static CredentialIssuer issuer(ExternalS3Config config, Catalog catalog) {
        return switch (config.credentials()) {
            case STS_FEDERATION -> StsCredentialIssuer.create(stsEndpoint(config), config.region(), config.accessKey(),
                    config.secretKey(), StsCredentialIssuer.Mode.FEDERATION, config.bucket(), null);
            case STS_ASSUME_ROLE -> StsCredentialIssuer.create(stsEndpoint(config), config.region(),
                    config.accessKey(), config.secretKey(), StsCredentialIssuer.Mode.ASSUME_ROLE, config.bucket(),
                    config.roleArn());
            case PRESIGNED -> CredentialIssuer.presignedOnly();
            case GRANARY -> new EmbeddedCredentialIssuer(catalog, config.bucket(), config.secretKey());
        };
    }

    /** The store's own endpoint (MinIO, Ceph), or null for AWS STS of the region. */
    static URI stsEndpoint(ExternalS3Config config) {
        return config.isAws() ? null : config.endpoint();
    }

    public ExternalS3Config config() {
        return config;
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
            if (credentialIssuer instanceof AutoCloseable closeable) {
                closeable.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot close the STS client: " + e.getMessage(), e);
        } finally {
            objectStore.close();
        }
    }
}
