package io.granary.trino;

import io.granary.core.port.ObjectStore;
import io.granary.objectstore.EmbeddedObjectStorage;
import io.granary.objectstore.EmbeddedS3;
import io.granary.postgres.PostgresCatalog;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The shared {@link TestTrino} wired to a real Granary object store (the embedded S3 endpoint over HTTP)
 * and an Iceberg JDBC catalog on a real PostgreSQL (zonky), through catalogs created at run time exactly
 * as the Granary server will create them. One per test JVM; tests use their own schemas.
 */
public final class TrinoTestLake {

    public static final String ICEBERG = "granary_test_iceberg";
    public static final String HIVE = "granary_test_hive";
    static final String ACCESS_KEY = "granary-system";
    static final String SECRET = "system-secret-for-trino-tests-0123456789";
    static final String BUCKET = "granary";

    private static TrinoTestLake shared;

    public final ObjectStore store;
    public final TrinoCatalogSetup.S3 s3;
    public final PostgresConfig icebergDatabase;

    private TrinoTestLake(ObjectStore store, TrinoCatalogSetup.S3 s3, PostgresConfig icebergDatabase) {
        this.store = store;
        this.s3 = s3;
        this.icebergDatabase = icebergDatabase;
    }

    public static synchronized TrinoTestLake shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    private static TrinoTestLake start() {
        TestTrino.server();
        try {
            Path dir = Files.createTempDirectory("granary-test-lake-");
            PostgresCatalog catalog = new PostgresCatalog(TestPostgres.newDatabase());
            EmbeddedObjectStorage storage = EmbeddedObjectStorage.start(
                    new EmbeddedS3.Config(dir.resolve("objects"), BUCKET, "127.0.0.1", 0, null, ACCESS_KEY, SECRET), catalog);
            TrinoCatalogSetup.S3 s3 = new TrinoCatalogSetup.S3(storage.s3().endpoint(), "us-east-1", BUCKET, ACCESS_KEY,
                    SECRET, true);
            PostgresConfig db = TestPostgres.newDatabase();
            try (Connection pg = DriverManager.getConnection(db.url(), db.user(), db.password())) {
                TrinoCatalogSetup.createJdbcCatalogTables(pg);
            }
            try (Connection trino = TestTrino.connect()) {
                TrinoCatalogSetup.ensure(trino, ICEBERG, TrinoCatalogSetup.icebergCatalog(ICEBERG,
                        new TrinoCatalogSetup.Database(db.url(), db.user(), db.password()), s3, "trino/"));
                TrinoCatalogSetup.ensure(trino, HIVE, TrinoCatalogSetup.hiveCatalog(HIVE, s3, "trino/"));
            }
            TrinoTestLake lake = new TrinoTestLake(storage.objectStore(), s3, db);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                storage.close();
                catalog.close();
            }, "test-lake-stop"));
            return lake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up the Trino test catalogs: " + e.getMessage(), e);
        }
    }
}
