package io.granary.trino;

import io.granary.core.port.EngineAccess;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Granary's tables live in Trino and the store, and what {@link #prepare} sets up at start: the Iceberg
 * catalog ({@code <catalog>}, metadata in PostgreSQL, data under {@value #TABLES}), the Hive catalog of
 * transient tables ({@code <catalog>_staging}, file metastore under {@value #METASTORE}) and its schema.
 *
 * <p>A catalog that is missing is created ({@code CREATE CATALOG}, so Trino needs
 * {@code catalog.management=dynamic}, as {@code granary trino} has). Granary records a digest of what it created
 * in its database: a catalog it created with another configuration (the S3 endpoint moved, a key changed) is
 * replaced, one created with the same configuration (another node) is left alone, and a catalog it has no record
 * of (the operator's, docs/scale-out.md) is used as it is.
 */
final class TrinoLake {

    private static final Logger LOG = LoggerFactory.getLogger(TrinoLake.class);

    /** Key prefixes in Granary's bucket. */
    static final String TABLES = "trino/tables/";
    static final String METASTORE = "trino/metastore/";
    static final String STAGING = "trino/staging/";
    /** The Hive schema of transient tables (staging and exports). */
    static final String TRANSIENT_SCHEMA = "granary";

    final String iceberg;
    final String hive;
    final String bucket;

    private TrinoLake(String iceberg, String hive, String bucket) {
        this.iceberg = iceberg;
        this.hive = hive;
        this.bucket = bucket;
    }

    /** Names only, for a lake that is already prepared. */
    static TrinoLake of(TrinoSettings.Config config, String bucket) {
        return new TrinoLake(config.catalog(), config.stagingCatalog(), bucket);
    }

    /** Makes sure both catalogs and the transient schema exist and work. */
    static TrinoLake prepare(TrinoClient client, TrinoBookkeeping books, TrinoSettings.Config config,
            EngineAccess.S3Endpoint s3) {
        TrinoLake lake = of(config, s3.bucket());
        TrinoCatalogSetup.Database db = new TrinoCatalogSetup.Database(config.icebergPostgresUrl(), config.postgresUser(),
                config.postgresPassword());
        try (Connection c = client.connect()) {
            ensure(c, books, lake.iceberg, TrinoCatalogSetup.icebergCatalog(lake.iceberg, db, s3, TABLES));
            ensure(c, books, lake.hive, TrinoCatalogSetup.hiveCatalog(lake.hive, s3, METASTORE));
            try {
                TrinoClient.execute(c, "CREATE SCHEMA IF NOT EXISTS " + lake.transientSchema() + " WITH (location = "
                        + TrinoSql.literal("s3://" + s3.bucket() + "/" + STAGING) + ")");
                TrinoClient.execute(c, "SHOW SCHEMAS FROM " + TrinoSql.id(lake.iceberg));
            } catch (SQLException e) {
                if (e.getErrorCode() != TrinoClient.SCHEMA_ALREADY_EXISTS) {
                    throw new IllegalStateException("Trino cannot use the catalogs " + lake.iceberg + " and " + lake.hive
                            + " (" + TrinoClient.engine(e).getMessage() + "). If Granary did not create them, they must reach"
                            + " its PostgreSQL database and bucket " + s3.bucket() + " (docs/scale-out.md); otherwise drop"
                            + " them (DROP CATALOG) and Granary creates them again.", e);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot prepare Trino at " + config.url() + ": "
                    + TrinoClient.engine(e).getMessage(), e);
        }
        return lake;
    }

    private static void ensure(Connection c, TrinoBookkeeping books, String name, String create) throws SQLException {
        String fingerprint = digest(create);
        Set<String> catalogs = TrinoCatalogSetup.catalogs(c);
        Optional<String> recorded = books.fingerprint(name);
        if (catalogs.contains(name)) {
            if (recorded.isEmpty() || recorded.get().equals(fingerprint)) {
                return;
            }
            LOG.info("Trino catalog {} was created with another configuration: replacing it", name);
            TrinoCatalogSetup.drop(c, name);
        }
        try {
            TrinoClient.execute(c, create);
            LOG.info("created Trino catalog {}", name);
        } catch (SQLException e) {
            // another node created it at the same moment
            if (!TrinoCatalogSetup.catalogs(c).contains(name)) {
                throw new SQLException("Cannot create catalog " + name + " (does Trino run with catalog.management=dynamic?"
                        + " See docs/scale-out.md): " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
            }
        }
        books.recordFingerprint(name, fingerprint);
    }

    /** {@code "hive"."granary"}. */
    String transientSchema() {
        return TrinoSql.id(hive) + "." + TrinoSql.id(TRANSIENT_SCHEMA);
    }

    /** A transient table's qualified name. */
    String transientTable(String name) {
        return transientSchema() + "." + TrinoSql.id(name);
    }

    /** {@code "iceberg"."schema"} of a bucket. */
    String schema(String bucketId) {
        return TrinoSql.id(iceberg) + "." + TrinoSql.id(TrinoNames.object(bucketId));
    }

    /** {@code "iceberg"."schema"."table"}. */
    String table(String bucketId, String tableName) {
        return TrinoNames.table(iceberg, bucketId, tableName);
    }

    /** {@code s3://bucket/key}. */
    String location(String key) {
        return "s3://" + bucket + "/" + key;
    }

    static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
