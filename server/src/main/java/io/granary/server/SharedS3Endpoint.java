package io.granary.server;

import io.granary.objectstore.EmbeddedObjectStorage;
import io.granary.objectstore.EmbeddedS3;
import io.granary.postgres.PostgresCatalog;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Granary's embedded S3 endpoint run on its own for several nodes ({@code granary s3}): it keeps objects
 * under its data directory and checks each request's credentials in the shared PostgreSQL catalog, where
 * the nodes ({@code --s3-credentials granary}) record what they mint.
 */
public final class SharedS3Endpoint implements AutoCloseable {

    private final PostgresDatabase database;
    private final PostgresCatalog catalog;
    private final EmbeddedObjectStorage storage;
    private final String accessKey;

    private SharedS3Endpoint(PostgresDatabase database, PostgresCatalog catalog, EmbeddedObjectStorage storage,
            String accessKey) {
        this.database = database;
        this.catalog = catalog;
        this.storage = storage;
        this.accessKey = accessKey;
    }

    public static SharedS3Endpoint start(Path dataDir, String host, int port, String bucket, PostgresConfig postgres)
            throws java.io.IOException {
        return start(dataDir, host, port, bucket, postgres, List.of());
    }

    /** As above; pages from {@code consoleOrigins} (the nodes' web consoles) may upload and download in a browser. */
    public static SharedS3Endpoint start(Path dataDir, String host, int port, String bucket, PostgresConfig postgres,
            List<String> consoleOrigins) throws java.io.IOException {
        dataDir = dataDir.toAbsolutePath().normalize(); // S3Proxy refuses a root with "." in it
        Files.createDirectories(dataDir);
        Properties keys = ObjectStorage.systemKeys(dataDir);
        PostgresDatabase database = new PostgresDatabase(postgres);
        try {
            PostgresCatalog catalog = new PostgresCatalog(database);
            EmbeddedObjectStorage storage = EmbeddedObjectStorage.start(new EmbeddedS3.Config(dataDir.resolve("objects"),
                    bucket, host, port, null, keys.getProperty("accessKey"), keys.getProperty("secretKey"), consoleOrigins),
                    catalog);
            return new SharedS3Endpoint(database, catalog, storage, keys.getProperty("accessKey"));
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    public String endpoint() {
        return storage.s3().endpoint().toString();
    }

    /** The system access key nodes pass as {@code --s3-access-key}; its secret stays in the data directory. */
    public String accessKey() {
        return accessKey;
    }

    @Override
    public void close() {
        storage.close();
        catalog.close();
        database.close();
    }
}
