package io.granary.postgres;

import static io.granary.postgres.PgNames.q;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.port.TableBackend;
import io.granary.core.port.WorkspaceBackend.ColumnMapping;
import io.granary.core.port.WorkspaceBackend.LoadTable;
import io.granary.core.port.WorkspaceBackend.LoadedTable;
import io.granary.jdbc.SqlValues;
import io.granary.postgres.PgTables.Column;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One load into a workspace schema, inside the caller's transaction: the workspace is emptied (schema dropped and made
 * anew, so nothing a component left survives) or its existing destinations checked, then each table is created and
 * filled with {@code INSERT … SELECT} from Storage's table and handed to the workspace's role. The rows never leave
 * the database, and the workspace's role gets its copies, not a way to Storage's tables.
 */
final class PgWorkspaceLoad {

    private final Connection c;
    private final String schema;
    private final String role;

    PgWorkspaceLoad(Connection c, String schema, String role) {
        this.c = c;
        this.schema = schema;
        this.role = role;
    }

    List<LoadedTable> run(boolean preserve, List<LoadTable> tables, JobProgress progress) throws SQLException {
        try (Statement s = c.createStatement()) {
            // every name below is qualified; a search_path of pg_catalog alone leaves nothing a component made in reach
            s.execute("SET LOCAL search_path = pg_catalog, pg_temp");
            Map<String, String> existing = relations();
            if (preserve) {
                for (LoadTable t : tables) {
                    if (existing.containsKey(t.destination()) && !t.overwrite()) {
                        throw new GranaryException(ErrorCode.WORKSPACE_TABLE_EXISTS, "Table \"" + t.destination()
                                + "\" already exists in schema \"" + schema + "\"; load it with overwrite to replace it.");
                    }
                }
            } else {
                s.execute("DROP SCHEMA IF EXISTS " + q(schema) + " CASCADE");
                s.execute("CREATE SCHEMA " + q(schema) + " AUTHORIZATION " + q(role));
                existing.clear();
            }
            List<LoadedTable> loaded = new ArrayList<>();
            long rows = 0;
            for (LoadTable t : tables) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new GranaryException(ErrorCode.JOB_INTERRUPTED, "The load was interrupted; the workspace is"
                            + " unchanged.");
                }
                String kind = existing.remove(t.destination());
                if (kind != null) {
                    s.execute("DROP " + kind + " " + target(t.destination()) + " CASCADE");
                }
                long n = copy(s, t);
                rows += n;
                progress.report(0, rows);
                loaded.add(new LoadedTable(t.source().tableId(), t.destination(), n));
            }
            return loaded;
        }
    }

    private String target(String name) {
        return q(schema) + "." + q(name);
    }

    private long copy(Statement s, LoadTable t) throws SQLException {
        List<Column> all = PgTables.columns(c, t.source());
        List<String> select = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (t.columns().isEmpty()) {
            for (Column col : all) {
                select.add(q(col.physical()));
                names.add(col.name());
            }
        } else {
            for (ColumnMapping m : t.columns()) {
                Column col = PgTables.find(all, m.source());
                if (col == null) {
                    throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Column \"" + m.source() + "\" not found in"
                            + " table " + t.source().tableId() + ".");
                }
                select.add(q(col.physical()));
                names.add(m.destination());
            }
        }
        StringBuilder create = new StringBuilder("CREATE TABLE ").append(target(t.destination())).append(" (");
        for (int i = 0; i < names.size(); i++) {
            create.append(i == 0 ? "" : ", ").append(q(names.get(i))).append(" TEXT");
        }
        String selectList = String.join(", ", select);
        if (t.timestampColumn()) {
            create.append(", ").append(q(TableBackend.TIMESTAMP_COLUMN)).append(" TIMESTAMP");
            selectList += ", (" + q(TableBackend.TIMESTAMP_COLUMN) + " AT TIME ZONE 'UTC')";
        }
        s.execute(create.append(")").toString());
        SqlValues values = SqlValues.parameters(PgTables.DIALECT);
        StringBuilder insert = new StringBuilder("INSERT INTO ").append(target(t.destination())).append(" SELECT ")
                .append(selectList).append(" FROM ").append(PgNames.table(t.source()))
                .append(PgSelection.where(all, t.selection(), values));
        if (t.limit() != null) {
            insert.append(" LIMIT ").append(t.limit());
        }
        long n;
        try (PreparedStatement ps = values.bind(c.prepareStatement(insert.toString()))) {
            n = ps.executeLargeUpdate();
        }
        s.execute("ALTER TABLE " + target(t.destination()) + " OWNER TO " + q(role));
        return n;
    }

    /** Relations in the workspace schema by name (PostgreSQL's names are exact), with the DROP keyword of their kind. */
    private Map<String, String> relations() throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.relname, r.relkind FROM pg_catalog.pg_class r"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = ?"
                + " AND r.relkind IN ('r', 'p', 'v', 'm', 'f')")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), switch (rs.getString(2)) {
                        case "v" -> "VIEW";
                        case "m" -> "MATERIALIZED VIEW";
                        case "f" -> "FOREIGN TABLE";
                        default -> "TABLE";
                    });
                }
            }
        }
        return out;
    }
}
