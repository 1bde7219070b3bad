package io.granary.duckdb;

import static io.granary.duckdb.DuckDbTables.q;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.port.TableBackend;
import io.granary.core.port.WorkspaceBackend.ColumnMapping;
import io.granary.core.port.WorkspaceBackend.LoadTable;
import io.granary.core.port.WorkspaceBackend.LoadedTable;
import io.granary.jdbc.SqlValues;
import io.granary.jdbc.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One load into a workspace file attached to Storage's database as {@code alias}: every table copied with
 * {@code CREATE TABLE … AS SELECT} in one transaction that writes only the workspace file (emptying it first without
 * {@code preserve}), so the load is applied whole or not at all.
 */
final class DuckDbWorkspaceLoad {

    private DuckDbWorkspaceLoad() {
    }

    static List<LoadedTable> run(Connection c, String alias, String schemaName, boolean preserve, List<LoadTable> tables,
            JobProgress progress) throws SQLException {
        String ws = q(alias);
        Map<String, String> existing = relations(c, alias);
        if (preserve) {
            // checked before anything changes
            for (LoadTable t : tables) {
                if (existing.containsKey(t.destination().toLowerCase(Locale.ROOT)) && !t.overwrite()) {
                    throw new GranaryException(ErrorCode.WORKSPACE_TABLE_EXISTS, "Table \"" + t.destination()
                            + "\" already exists in schema \"" + schemaName + "\"; load it with overwrite to replace it.");
                }
            }
        }
        return Transactions.run(c, conn -> {
            List<LoadedTable> loaded = new ArrayList<>();
            try (Statement s = conn.createStatement()) {
                if (!preserve) {
                    empty(conn, s, alias);
                }
                long rows = 0;
                for (LoadTable t : tables) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw DuckDbTables.interrupted();
                    }
                    String kind = preserve ? existing.get(t.destination().toLowerCase(Locale.ROOT)) : null;
                    if (kind != null) {
                        s.execute("DROP " + kind + " " + ws + ".main." + q(t.destination()));
                    }
                    long n = copy(conn, ws, t);
                    rows += n;
                    progress.report(0, rows);
                    loaded.add(new LoadedTable(t.source().tableId(), t.destination(), n));
                }
            }
            return loaded;
        });
    }

    private static long copy(Connection c, String ws, LoadTable t) throws SQLException {
        List<String> all = DuckDbTables.columns(c, t.source());
        StringBuilder sql = new StringBuilder("CREATE TABLE ").append(ws).append(".main.").append(q(t.destination()))
                .append(" AS SELECT ");
        if (t.columns().isEmpty()) {
            sql.append(DuckDbTables.list(all));
        } else {
            for (int i = 0; i < t.columns().size(); i++) {
                ColumnMapping m = t.columns().get(i);
                String col = DuckDbTables.find(all, m.source());
                if (col == null) {
                    throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Column \"" + m.source() + "\" not found in"
                            + " table " + t.source().tableId() + ".");
                }
                sql.append(i == 0 ? "" : ", ").append(q(col)).append(" AS ").append(q(m.destination()));
            }
        }
        if (t.timestampColumn()) {
            sql.append(", ").append(q(TableBackend.TIMESTAMP_COLUMN));
        }
        SqlValues values = SqlValues.parameters(DuckDbTables.DIALECT);
        sql.append(" FROM ").append(DuckDbTables.name(t.source())).append(DuckDbTables.where(all, t.selection(), values));
        if (t.limit() != null) {
            sql.append(" LIMIT ").append(t.limit());
        }
        try (PreparedStatement ps = values.bind(c.prepareStatement(sql.toString()))) {
            ps.execute();
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + ws + ".main." + q(t.destination()))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Tables and views in the workspace's {@code main}, by lower-cased name, with the DROP keyword of their kind. */
    private static Map<String, String> relations(Connection c, String alias) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name, 'TABLE' FROM duckdb_tables()"
                + " WHERE database_name = ? AND schema_name = 'main' UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views()"
                + " WHERE database_name = ? AND schema_name = 'main' AND NOT internal")) {
            ps.setString(1, alias);
            ps.setString(2, alias);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** Drops every object a component can make in the file: other schemas, then views, macros, tables, sequences, types. */
    private static void empty(Connection c, Statement s, String alias) throws SQLException {
        String ws = q(alias);
        for (String schema : names(c, "SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? AND NOT internal"
                + " AND schema_name NOT IN ('main', 'information_schema', 'pg_catalog')", alias)) {
            s.execute("DROP SCHEMA " + ws + "." + q(schema) + " CASCADE");
        }
        for (String view : names(c, "SELECT view_name FROM duckdb_views() WHERE database_name = ? AND schema_name = 'main'"
                + " AND NOT internal", alias)) {
            s.execute("DROP VIEW IF EXISTS " + ws + ".main." + q(view));
        }
        for (String macro : names(c, "SELECT DISTINCT function_name FROM duckdb_functions() WHERE database_name = ?"
                + " AND schema_name = 'main' AND function_type = 'macro' AND NOT internal", alias)) {
            s.execute("DROP MACRO IF EXISTS " + ws + ".main." + q(macro));
        }
        for (String macro : names(c, "SELECT DISTINCT function_name FROM duckdb_functions() WHERE database_name = ?"
                + " AND schema_name = 'main' AND function_type = 'table_macro' AND NOT internal", alias)) {
            s.execute("DROP MACRO TABLE IF EXISTS " + ws + ".main." + q(macro));
        }
        for (String table : names(c, "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'",
                alias)) {
            s.execute("DROP TABLE IF EXISTS " + ws + ".main." + q(table) + " CASCADE");
        }
        for (String sequence : names(c, "SELECT sequence_name FROM duckdb_sequences() WHERE database_name = ?"
                + " AND schema_name = 'main'", alias)) {
            s.execute("DROP SEQUENCE IF EXISTS " + ws + ".main." + q(sequence));
        }
        for (String type : names(c, "SELECT type_name FROM duckdb_types() WHERE database_name = ? AND schema_name = 'main'"
                + " AND NOT internal", alias)) {
            s.execute("DROP TYPE IF EXISTS " + ws + ".main." + q(type));
        }
    }

    private static List<String> names(Connection c, String sql, String alias) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, alias);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
