package io.granary.postgres;

import static io.granary.postgres.PgNames.q;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The role behind {@code readOnlyStorageAccess}: {@code granary_<database oid>_storage_reader}, which may use every
 * bucket's schema and read its tables, now and later (default privileges per bucket schema cover the tables Granary
 * creates there, loads' replacements included), and nothing else: not the catalog, not a workspace. Made when the
 * first such workspace is; a bucket schema made afterwards is granted to it as it is made.
 */
final class PgStorageReader {

    /** Bucket schemas: bucket ids are {@code in.c-…} or {@code out.c-…} (a long one shortened, its prefix kept). */
    private static final String BUCKET_SCHEMA = "^(in|out)\\.c-";

    private PgStorageReader() {
    }

    static String role(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT oid FROM pg_database"
                + " WHERE datname = current_database()")) {
            rs.next();
            return "granary_" + rs.getLong(1) + "_storage_reader";
        }
    }

    /** Makes the reader (if needed), lets it read every bucket, and makes {@code role} a member. */
    static void grantTo(Connection c, Statement s, String role) throws SQLException {
        String reader = role(c);
        if (!PostgresWorkspaceBackend.roleExists(c, reader)) {
            s.execute("CREATE ROLE " + q(reader) + " NOLOGIN");
        }
        List<String> schemas = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname ~ ?")) {
            ps.setString(1, BUCKET_SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
        }
        for (String schema : schemas) {
            grantOn(s, schema, reader);
        }
        s.execute("GRANT " + q(reader) + " TO " + q(role));
    }

    /** For a bucket schema just made: if workspaces may read Storage, they may read this bucket too. */
    static void onNewSchema(Connection c, String schema) throws SQLException {
        String reader = role(c);
        if (PostgresWorkspaceBackend.roleExists(c, reader)) {
            try (Statement s = c.createStatement()) {
                grantOn(s, schema, reader);
            }
        }
    }

    private static void grantOn(Statement s, String schema, String reader) throws SQLException {
        s.execute("GRANT USAGE ON SCHEMA " + q(schema) + " TO " + q(reader));
        s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + q(schema) + " TO " + q(reader));
        s.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA " + q(schema) + " GRANT SELECT ON TABLES TO " + q(reader));
    }
}
