package io.granary.server.support;

import io.granary.sqlite.SqliteCatalog;
import io.granary.objectstore.EmbeddedS3;
import io.granary.objectstore.ExternalS3Config;
import java.nio.file.Path;

/**
 * An S3 endpoint run apart from the Granary under test (S3Proxy over its own directory, with a catalog of its own
 * as a foreign store has), which that Granary reaches only as an external store in {@code presigned} mode: it mints
 * no credentials, clients get presigned URLs.
 */
final class PresignedStore implements AutoCloseable {

    private static final String BUCKET = "granary-files";
    private static final String ACCESS_KEY = "store-admin";
    private static final String SECRET = "store-admin-secret-0123456789abcdef";

    private final SqliteCatalog catalog;
    private final EmbeddedS3 s3;

    private PresignedStore(SqliteCatalog catalog, EmbeddedS3 s3) {
        this.catalog = catalog;
        this.s3 = s3;
    }

    static PresignedStore start(Path dir) {
        SqliteCatalog catalog = new SqliteCatalog(dir.resolve("store-catalog.sqlite"));
        try {
            return new PresignedStore(catalog, EmbeddedS3.start(new EmbeddedS3.Config(dir.resolve("objects"), BUCKET,
                    "127.0.0.1", 0, null, ACCESS_KEY, SECRET), catalog));
        } catch (RuntimeException e) {
            catalog.close();
            throw e;
        }
    }

    /** How a Granary node reaches this store ({@code --s3-endpoint … --s3-credentials presigned}). */
    ExternalS3Config config() {
        return new ExternalS3Config(s3.endpoint(), null, BUCKET, ACCESS_KEY, SECRET, true,
                ExternalS3Config.CredentialsMode.PRESIGNED, null, null);
    }

    @Override
    public void close() {
        try {
            s3.close();
        } finally {
            catalog.close();
        }
    }
}
