package io.granary.trino;

import io.granary.core.port.EngineAccess;
import io.granary.core.port.ObjectStore;
import io.granary.core.port.Settings;
import io.granary.core.port.StoreContext;
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
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;

/**
 * The shared {@link TestTrino} with what a Granary node gives its Trino backend: Granary's embedded S3 endpoint
 * (over HTTP) and a database on a real PostgreSQL (zonky). Backends opened here go through the factory, as the
 * server opens them, so they create the catalogs {@link #catalog} and {@link #catalog}{@code _staging} at run
 * time as the server does. One per test JVM; its catalog's name is its own, since a catalog reaches one database
 * and one S3 endpoint (and a Trino given with {@code -Dgranary.test.trino.url} outlives the JVM).
 */
public final class TrinoTestLake {

    static final String ACCESS_KEY = "granary-system";
    static final String SECRET = "system-secret-for-trino-tests-0123456789";
    static final String BUCKET = "granary";

    private static TrinoTestLake shared;

    public final ObjectStore store;
    public final EngineAccess.S3Endpoint s3;
    /** The Iceberg catalog of {@link #open(Path)}. */
    public final String catalog = TestTrino.newCatalogName();
    public final PostgresConfig database;
    private final Path dir;

    private TrinoTestLake(ObjectStore store, PostgresConfig database, Path dir) {
        this.store = store;
        this.s3 = ((EngineAccess) store).engineEndpoint();
        this.database = database;
        this.dir = dir;
    }

    public static synchronized TrinoTestLake shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    private static TrinoTestLake start() {
        TestTrino.url();
        try {
            Path dir = Files.createTempDirectory("granary-test-lake-");
            PostgresCatalog catalog = new PostgresCatalog(TestPostgres.newDatabase());
            EmbeddedObjectStorage storage = EmbeddedObjectStorage.start(
                    new EmbeddedS3.Config(dir.resolve("objects"), BUCKET, "127.0.0.1", 0, null, ACCESS_KEY, SECRET), catalog);
            TrinoTestLake lake = new TrinoTestLake(storage.objectStore(), TestPostgres.newDatabase(), dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                storage.close();
                catalog.close();
            }, "test-lake-stop"));
            return lake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@code granary server --backend trino} would be given for this lake, with the catalog named {@code catalog}. */
    public Settings settings(String catalog) {
        return TestTrino.settings(Settings.empty().with(TrinoSettings.POSTGRES_URL, database.url())
                .with(TrinoSettings.POSTGRES_USER, database.user()).with(TrinoSettings.POSTGRES_PASSWORD, database.password()),
                catalog);
    }

    /** The workspaces beside {@code tables}, opened by the factory as a node opens them. */
    public TrinoWorkspaceBackend openWorkspaces(TrinoTableBackend tables, Path tmp) {
        StoreContext context = new StoreContext(dir, tmp, Clock.systemUTC(), 4, Duration.ofSeconds(60), 0,
                settings(catalog), store);
        return (TrinoWorkspaceBackend) new TrinoTableBackendFactory().openWorkspaces(context, tables);
    }

    /** A backend on catalog {@link #catalog}, opened by the factory as a node opens it. */
    public TrinoTableBackend open(Path tmp) {
        return open(settings(catalog), tmp);
    }

    public TrinoTableBackend open(Settings settings, Path tmp) {
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StoreContext context = new StoreContext(dir, tmp, Clock.systemUTC(), 4, Duration.ofSeconds(60), 0, settings, store);
        return (TrinoTableBackend) new TrinoTableBackendFactory().open(context);
    }

    /**
     * Forgets every table of catalog {@link #catalog} and every load record, as a fresh installation has none: the
     * rows of Iceberg's JDBC catalog go (their files stay in the store, under a location no new table reuses).
     */
    public void wipe() {
        try (Connection pg = DriverManager.getConnection(database.url(), database.user(), database.password());
                Statement s = pg.createStatement()) {
            s.execute("DELETE FROM iceberg_tables WHERE catalog_name = '" + catalog + "'");
            s.execute("DELETE FROM iceberg_namespace_properties WHERE catalog_name = '" + catalog + "'");
            s.execute("DELETE FROM trino_loads");
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw new IllegalStateException("cannot wipe the test lake: " + e.getMessage(), e);
            }
        }
    }

    /** A connection to the lake's PostgreSQL database (Granary's, holding Iceberg's catalog). */
    public Connection postgres() throws SQLException {
        return DriverManager.getConnection(database.url(), database.user(), database.password());
    }
}
