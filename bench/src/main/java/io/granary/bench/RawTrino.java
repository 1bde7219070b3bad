package io.granary.bench;

import io.granary.core.port.EngineAccess;
import io.granary.objectstore.EmbeddedS3;
import io.granary.postgres.PostgresCatalog;
import io.granary.postgres.PostgresConfig;
import io.granary.postgres.TestPostgres;
import io.granary.trino.TrinoCatalogSetup;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Raw Trino as a user without Granary would load it by hand: the CSV put in the object store (one PutObject
 * with the AWS SDK, slices 4 at a time as Granary's client sends them), an external CSV table over it on a Hive
 * catalog (file metastore), and {@code CREATE TABLE … AS SELECT} into an Iceberg table; {@code MERGE} from such
 * a table for the upsert; exports by {@code CREATE TABLE … AS SELECT} into an external Hive table (CSV with the
 * GZIP or no codec, Parquet with Snappy) in the object store. Its catalogs are its own: Iceberg's JDBC catalog
 * on a fresh database of the embedded PostgreSQL, data and staged files on an embedded S3 endpoint (the same
 * S3Proxy Granary serves) in the bench's JVM. Times include the upload, as Granary's include theirs.
 */
final class RawTrino implements RawEngine {

    private static final String KEY = "raw-trino";
    private static final String SECRET = "raw-trino-secret-0123456789abcdef";
    private static final String BUCKET = "raw";
    private static final String SCHEMA = "bench";

    private final BenchTrino trino;
    private final PostgresCatalog objectCatalog;
    private final EmbeddedS3 s3;
    private final S3Client client;
    private final Connection connection;
    private final String iceberg;
    private final String hive;
    private final AtomicInteger staged = new AtomicInteger();

    RawTrino(BenchTrino trino, Path dir) throws SQLException {
        this.trino = trino;
        this.objectCatalog = new PostgresCatalog(TestPostgres.newDatabase());
        this.s3 = EmbeddedS3.start(new EmbeddedS3.Config(dir.resolve("objects"), BUCKET, "127.0.0.1", 0, null, KEY, SECRET),
                objectCatalog);
        this.client = S3Client.builder().httpClient(ApacheHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET)))
                .endpointOverride(s3.endpoint()).forcePathStyle(true).build();
        PostgresConfig db = TestPostgres.newDatabase();
        createIcebergCatalogTables(db);
        EngineAccess.S3Endpoint endpoint = new EngineAccess.S3Endpoint(s3.endpoint(), "us-east-1", BUCKET, true, KEY, SECRET);
        this.iceberg = trino.newCatalogName("raw");
        this.hive = iceberg + "_csv";
        this.connection = trino.connect();
        try (Statement s = connection.createStatement()) {
            s.execute(TrinoCatalogSetup.icebergCatalog(iceberg,
                    new TrinoCatalogSetup.Database(db.url(), db.user(), db.password()), endpoint, "iceberg"));
            s.execute(TrinoCatalogSetup.hiveCatalog(hive, endpoint, "hive-metastore"));
            s.execute("CREATE SCHEMA " + iceberg + "." + SCHEMA);
            s.execute("CREATE SCHEMA " + hive + "." + SCHEMA + " WITH (location = 's3://" + BUCKET + "/hive/')");
        }
    }

    // Trino does not create the tables of Iceberg's JDBC catalog (Granary's migrations do, for its own)
    private static void createIcebergCatalogTables(PostgresConfig db) throws SQLException {
        try (Connection pg = DriverManager.getConnection(db.url(), db.user(), db.password());
                Statement s = pg.createStatement()) {
            s.execute("CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL,"
                    + " table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000),"
                    + " previous_metadata_location VARCHAR(1000), iceberg_type VARCHAR(5),"
                    + " PRIMARY KEY (catalog_name, table_namespace, table_name))");
            s.execute("CREATE TABLE iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL,"
                    + " namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255) NOT NULL,"
                    + " property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))");
        }
    }

    @Override
    public String describe(String operation) {
        return switch (operation) {
            case "load" -> "PutObject + external Hive CSV table + CREATE TABLE … AS SELECT into Iceberg";
            case "upsert" -> "PutObject + external Hive CSV table + MERGE into Iceberg";
            case "export" -> "CREATE TABLE … AS SELECT into an external Hive CSV table in the object store";
            case "export-parquet" -> "CREATE TABLE … AS SELECT into an external Hive Parquet table (Snappy) in the object store";
            default -> operation;
        };
    }

    @Override
    public long createAndLoad(String table, Path csv) throws Exception {
        String external = stage(List.of(csv), true);
        return ctas(table, external);
    }

    @Override
    public long createAndLoadSlices(String table, List<Path> slices) throws Exception {
        String external = stage(slices, false);
        return ctas(table, external);
    }

    private long ctas(String table, String external) throws SQLException {
        try (Statement s = connection.createStatement()) {
            long rows = s.executeLargeUpdate("CREATE TABLE " + iceberg(table) + " AS SELECT * FROM " + external);
            s.execute("DROP TABLE " + external);
            return rows;
        }
    }

    @Override
    public long upsert(String table, Path increment) throws Exception {
        String external = stage(List.of(increment), true);
        StringBuilder set = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (String c : CsvGenerator.COLUMNS) {
            if (!c.equals("id")) {
                set.append(set.isEmpty() ? "" : ", ").append(c).append(" = s.").append(c);
            }
            values.append(values.isEmpty() ? "" : ", ").append("s.").append(c);
        }
        try (Statement s = connection.createStatement()) {
            s.execute("MERGE INTO " + iceberg(table) + " t USING " + external + " s ON t.id = s.id WHEN MATCHED THEN UPDATE SET "
                    + set + " WHEN NOT MATCHED THEN INSERT (" + String.join(", ", CsvGenerator.COLUMNS) + ") VALUES ("
                    + values + ")");
            s.execute("DROP TABLE " + external);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + iceberg(table))) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Puts the files under a new prefix and creates an external CSV table over it; returns the table's name. */
    private String stage(List<Path> files, boolean header) throws Exception {
        String name = "staged_" + staged.incrementAndGet();
        String prefix = "in/" + name + "/";
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, files.size()));
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (Path file : files) {
                puts.add(pool.submit(() -> client.putObject(b -> b.bucket(BUCKET).key(prefix + file.getFileName()),
                        RequestBody.fromFile(file))));
            }
            for (Future<?> put : puts) {
                put.get();
            }
        } finally {
            pool.shutdownNow();
        }
        String external = hive + "." + SCHEMA + "." + name;
        try (Statement s = connection.createStatement()) {
            // Hive's CSV tables have varchar columns only; a .gz file is read as gzip
            s.execute("CREATE TABLE " + external + " (" + columns() + ") WITH (format = 'CSV', external_location = 's3://"
                    + BUCKET + "/" + prefix + "'" + (header ? ", skip_header_line_count = 1" : "") + ")");
        }
        return external;
    }

    @Override
    public long exportCsv(String table, Path target, boolean gzip) throws Exception {
        return export(table, "CSV", gzip ? "GZIP" : "NONE");
    }

    @Override
    public long exportParquet(String table, Path target) throws Exception {
        return export(table, "PARQUET", "SNAPPY");
    }

    private long export(String table, String format, String codec) throws SQLException {
        String name = "export_" + staged.incrementAndGet();
        String prefix = "out/" + name + "/";
        String external = hive + "." + SCHEMA + "." + name;
        try (Statement s = connection.createStatement()) {
            s.execute("SET SESSION " + hive + ".compression_codec = '" + codec + "'");
            s.execute("CREATE TABLE " + external + " WITH (format = '" + format + "', external_location = 's3://" + BUCKET
                    + "/" + prefix + "') AS SELECT * FROM " + iceberg(table));
            s.execute("DROP TABLE " + external);
        }
        long bytes = 0;
        for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents()) {
            bytes += o.size();
        }
        return bytes;
    }

    @Override
    public void drop(String table) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + iceberg(table));
        }
    }

    private String iceberg(String table) {
        return iceberg + "." + SCHEMA + "." + table;
    }

    private static String columns() {
        StringBuilder b = new StringBuilder();
        for (String c : CsvGenerator.COLUMNS) {
            b.append(b.isEmpty() ? "" : ", ").append(c).append(" varchar");
        }
        return b.toString();
    }

    @Override
    public void close() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP CATALOG IF EXISTS " + iceberg);
            s.execute("DROP CATALOG IF EXISTS " + hive);
        } finally {
            connection.close();
            client.close();
            s3.close();
            objectCatalog.close();
        }
    }
}
