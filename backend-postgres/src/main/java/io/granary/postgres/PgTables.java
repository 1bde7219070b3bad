package io.granary.postgres;

import static io.granary.postgres.PgNames.q;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.jdbc.SqlDialect;
import io.granary.jdbc.SqlTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** What a table looks like in PostgreSQL's catalog, and the DDL that shapes one. */
final class PgTables {

    /** Prefix of the tables a load stages its rows in; never a Storage table or column name. */
    static final String STAGING_PREFIX = SqlTables.STAGING_PREFIX;

    /**
     * PostgreSQL's SQL: {@code _timestamp} is a {@code TIMESTAMPTZ}, truncated to microseconds as DuckDB's backend
     * stores it; a value cannot hold a NUL character.
     */
    static final SqlDialect DIALECT = new SqlDialect() {
        @Override
        public String timestampLiteral(Instant t) {
            return "'" + micros(t) + "'::timestamptz";
        }

        @Override
        public String timestampParameter() {
            return "?::timestamptz";
        }

        @Override
        public Object timestampValue(Instant t) {
            return OffsetDateTime.ofInstant(micros(t), ZoneOffset.UTC);
        }

        @Override
        public void checkValue(String column, String value) {
            if (value.indexOf('\0') >= 0) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION, "The filter on column \"" + column
                        + "\" has a value with a NUL character, which no value can hold.");
            }
        }

        private Instant micros(Instant t) {
            return (t == null ? Instant.now() : t).truncatedTo(ChronoUnit.MICROS);
        }
    };

    /** A visible column: its Storage name and its PostgreSQL name. */
    record Column(String name, String physical) {
        static Column of(String name) {
            return new Column(name, PgNames.physical(name));
        }
    }

    private static final String RELATION = " FROM pg_catalog.pg_class r"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
            + " WHERE n.nspname = ? AND r.relname = ? AND r.relkind IN ('r', 'p')";

    private PgTables() {
    }

    static boolean exists(Connection c, TableRef table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1" + RELATION)) {
            bind(ps, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Visible columns in order; {@code TABLES_NOT_FOUND} when there is no such table. */
    static List<Column> columns(Connection c, TableRef table) throws SQLException {
        List<Column> out = new ArrayList<>();
        boolean found = false;
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, col_description(a.attrelid, a.attnum)"
                + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class r ON r.oid = a.attrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE n.nspname = ? AND r.relname = ? AND r.relkind IN ('r', 'p')"
                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            bind(ps, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found = true;
                    String physical = rs.getString(1);
                    if (!physical.equals(TableBackend.TIMESTAMP_COLUMN)) {
                        out.add(new Column(PgNames.logical(physical, rs.getString(2)), physical));
                    }
                }
            }
        }
        if (!found) {
            throw new GranaryException(ErrorCode.TABLES_NOT_FOUND, "The table \"" + table.tableId() + "\" was not found.");
        }
        return out;
    }

    /**
     * Creates the bucket's schema unless it exists (another node may be creating it at the same time), readable by
     * workspaces with read access to Storage if there are any.
     */
    static void ensureSchema(Connection c, String bucketId) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + q(PgNames.schema(bucketId)));
        } catch (SQLException e) {
            // IF NOT EXISTS does not cover a concurrent CREATE SCHEMA: that one surfaces as a unique violation
            if (!"23505".equals(e.getSQLState()) && !"42P06".equals(e.getSQLState())) {
                throw e;
            }
        }
        PgStorageReader.onNewSchema(c, PgNames.schema(bucketId));
    }

    /**
     * Column definitions for CREATE TABLE / ADD COLUMN. {@code COLLATE "C"} makes comparisons and ORDER BY
     * compare bytes (code points), as DuckDB does, whatever the database's locale; it is also the fastest.
     */
    static String columnDdl(Column column) {
        return q(column.physical()) + " TEXT COLLATE \"C\" NOT NULL DEFAULT ''";
    }

    /** Stores the full name of shortened columns (see {@link PgNames}). */
    static void comment(Statement s, String table, List<Column> columns) throws SQLException {
        for (Column col : columns) {
            if (!col.physical().equals(col.name())) {
                s.execute("COMMENT ON COLUMN " + table + "." + q(col.physical()) + " IS " + PgNames.lit(col.name()));
            }
        }
    }

    /** The table's column named {@code name}; names are case-insensitive, as in DuckDB's backend. */
    static Column find(List<Column> columns, String name) {
        for (Column c : columns) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    static List<String> names(List<Column> columns) {
        return columns.stream().map(Column::name).toList();
    }

    static List<String> physical(List<Column> columns) {
        return columns.stream().map(Column::physical).toList();
    }

    static void checkNewColumns(List<String> columns) {
        SqlTables.checkNewColumns(columns);
    }

    static void checkTableName(TableRef table) {
        if (table.name().startsWith(STAGING_PREFIX) || table.name().isEmpty() || table.bucketId().isEmpty()
                || table.name().indexOf('\0') >= 0 || table.bucketId().indexOf('\0') >= 0) {
            throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Invalid table name \"" + table.tableId() + "\".");
        }
    }

    private static void bind(PreparedStatement ps, TableRef table) throws SQLException {
        ps.setString(1, PgNames.schema(table.bucketId()));
        ps.setString(2, PgNames.physical(table.name()));
    }
}
