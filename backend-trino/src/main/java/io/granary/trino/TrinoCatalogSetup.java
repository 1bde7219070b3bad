package io.granary.trino;

import io.granary.core.port.EngineAccess;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What Trino needs to reach Granary's tables, created at run time so that a bare {@code granary trino}
 * (or any Trino with {@code catalog.management=dynamic}) is enough: an Iceberg catalog whose metadata
 * lives in PostgreSQL (Iceberg's JDBC catalog) and whose data lives in Granary's S3 bucket, and a Hive
 * catalog (file metastore on the same bucket) for the transient external tables that staging and
 * exports read and write. Trino does not create the JDBC catalog's two tables itself: Granary's
 * migrations do ({@code TrinoBookkeeping}).
 */
public final class TrinoCatalogSetup {

    /** The PostgreSQL database holding the Iceberg JDBC catalog, as Trino (not Granary) connects to it. */
    public record Database(String jdbcUrl, String user, String password) {
        @Override
        public String toString() {
            return "Database[jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
        }
    }

    private TrinoCatalogSetup() {
    }

    /** {@code CREATE CATALOG name USING iceberg ...}: tables' metadata in {@code db}, data under {@code s3://bucket/prefix}. */
    public static String icebergCatalog(String name, Database db, EngineAccess.S3Endpoint s3, String prefix) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("iceberg.catalog.type", "jdbc");
        p.put("iceberg.jdbc-catalog.catalog-name", name);
        p.put("iceberg.jdbc-catalog.driver-class", "org.postgresql.Driver");
        p.put("iceberg.jdbc-catalog.connection-url", db.jdbcUrl());
        p.put("iceberg.jdbc-catalog.connection-user", db.user());
        p.put("iceberg.jdbc-catalog.connection-password", db.password() == null ? "" : db.password());
        p.put("iceberg.jdbc-catalog.default-warehouse-dir", location(s3, prefix));
        // Granary's tables are written by one job at a time; merge-on-read deletes are compacted in the background
        p.put("iceberg.file-format", "PARQUET");
        p.put("iceberg.compression-codec", "ZSTD");
        // Granary expires snapshots older than a day (TrinoMaintenance); Trino refuses less than this minimum
        p.put("iceberg.expire-snapshots.min-retention", TrinoMaintenance.SNAPSHOT_RETENTION);
        s3Properties(p, s3);
        return create(name, "iceberg", p);
    }

    /**
     * {@code CREATE CATALOG name USING hive ...} for transient external tables over staged files and for
     * exports, with a file metastore under {@code s3://bucket/metastorePrefix}.
     */
    public static String hiveCatalog(String name, EngineAccess.S3Endpoint s3, String metastorePrefix) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("hive.metastore", "file");
        p.put("hive.metastore.catalog.dir", location(s3, metastorePrefix));
        // exports insert into external tables whose location Granary chose
        p.put("hive.non-managed-table-writes-enabled", "true");
        p.put("hive.non-managed-table-creates-enabled", "true");
        s3Properties(p, s3);
        return create(name, "hive", p);
    }

    /** The catalogs Trino knows. */
    public static Set<String> catalogs(Connection trino) throws SQLException {
        Set<String> names = new TreeSet<>();
        try (Statement s = trino.createStatement(); ResultSet r = s.executeQuery("SHOW CATALOGS")) {
            while (r.next()) {
                names.add(r.getString(1));
            }
        }
        return names;
    }

    /** Removes a catalog (its tables' data stays where it is). */
    public static void drop(Connection trino, String name) throws SQLException {
        try (Statement s = trino.createStatement()) {
            s.execute("DROP CATALOG IF EXISTS " + TrinoSql.id(name));
        }
    }

    static String location(EngineAccess.S3Endpoint s3, String prefix) {
        String p = prefix == null ? "" : prefix.replaceAll("^/+", "");
        if (!p.isEmpty() && !p.endsWith("/")) {
            p += "/";
        }
        return "s3://" + s3.bucket() + "/" + p;
    }

    private static void s3Properties(Map<String, String> p, EngineAccess.S3Endpoint s3) {
        // 476 refuses to start a catalog with the newer fs.s3.enabled
        p.put("fs.native-s3.enabled", "true");
        if (s3.endpoint() != null) {
            p.put("s3.endpoint", s3.endpoint().toString());
        }
        p.put("s3.region", s3.region());
        p.put("s3.path-style-access", String.valueOf(s3.pathStyle()));
        p.put("s3.aws-access-key", s3.accessKey());
        p.put("s3.aws-secret-key", s3.secretKey());
    }

    private static String create(String name, String connector, Map<String, String> properties) {
        StringBuilder b = new StringBuilder("CREATE CATALOG ").append(TrinoSql.id(name)).append(" USING ").append(connector)
                .append(" WITH (");
        String sep = "";
        for (Map.Entry<String, String> e : properties.entrySet()) {
            b.append(sep).append(TrinoSql.id(e.getKey())).append(" = ").append(TrinoSql.literal(e.getValue()));
            sep = ", ";
        }
        return b.append(")").toString();
    }
}
