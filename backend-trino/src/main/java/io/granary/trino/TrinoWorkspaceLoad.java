package io.granary.trino;

import static io.granary.trino.TrinoSql.id;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.Workspace;
import io.granary.core.port.TableBackend;
import io.granary.core.port.WorkspaceBackend.ColumnMapping;
import io.granary.core.port.WorkspaceBackend.LoadTable;
import io.granary.core.port.WorkspaceBackend.LoadedTable;
import io.granary.core.util.Secrets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One load into a workspace schema. Trino commits each statement on its own, so the load first copies every table
 * ({@code CREATE TABLE … AS SELECT} from Storage's table, inside Trino) under a temporary name in the schema; only
 * when all copies exist does it empty the workspace (without {@code preserve}) or drop the destinations it may
 * overwrite, and rename the copies into place. A copy that fails drops the others: the workspace is as it was. The
 * workspace's user gets copies, never a way to Storage's tables.
 */
final class TrinoWorkspaceLoad {

    private final Connection c;
    private final TrinoLake lake;
    private final TrinoWorkspaceBackend workspaces;
    private final long id;

    TrinoWorkspaceLoad(Connection c, TrinoLake lake, TrinoWorkspaceBackend workspaces, long id) {
        this.c = c;
        this.lake = lake;
        this.workspaces = workspaces;
        this.id = id;
    }

    List<LoadedTable> run(boolean preserve, List<LoadTable> tables, JobProgress progress) throws SQLException {
        Map<String, String> existing = workspaces.objects(c, id);
        if (preserve) {
            for (LoadTable t : tables) {
                if (existing.containsKey(name(t)) && !t.overwrite()) {
                    throw new GranaryException(ErrorCode.WORKSPACE_TABLE_EXISTS, "Table \"" + t.destination()
                            + "\" already exists in schema \"" + Workspace.nameOf(id) + "\"; load it with overwrite to"
                            + " replace it.");
                }
            }
        }
        String prefix = "granary_load_" + Secrets.random(8, "abcdefghijklmnopqrstuvwxyz0123456789") + "_";
        List<String> copies = new ArrayList<>();
        List<LoadedTable> loaded = new ArrayList<>();
        try {
            long rows = 0;
            for (LoadTable t : tables) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new GranaryException(ErrorCode.JOB_INTERRUPTED, "The load was interrupted; the workspace is"
                            + " unchanged.");
                }
                String copy = prefix + copies.size();
                copies.add(copy);
                long n = copy(t, copy);
                rows += n;
                progress.report(0, rows);
                loaded.add(new LoadedTable(t.source().tableId(), t.destination(), n));
            }
        } catch (SQLException | RuntimeException e) {
            dropQuietly(copies);
            if (e instanceof SQLException s && (s.getErrorCode() == TrinoClient.TABLE_NOT_FOUND
                    || s.getErrorCode() == TrinoClient.SCHEMA_NOT_FOUND)) {
                throw new GranaryException(ErrorCode.TABLES_NOT_FOUND, "A table to load was not found: "
                        + TrinoClient.engine(s).getMessage(), s);
            }
            throw e;
        }
        for (Map.Entry<String, String> o : existing.entrySet()) {
            boolean replaced = tables.stream().anyMatch(t -> name(t).equals(o.getKey()));
            if (!preserve || replaced) {
                TrinoClient.execute(c, "DROP " + o.getValue() + " IF EXISTS " + table(o.getKey()));
            }
        }
        for (int i = 0; i < tables.size(); i++) {
            TrinoClient.execute(c, "ALTER TABLE " + table(copies.get(i)) + " RENAME TO " + table(name(tables.get(i))));
        }
        return loaded;
    }

    private static String name(LoadTable t) {
        return t.destination().toLowerCase(Locale.ROOT);
    }

    private String table(String name) {
        return workspaces.schema(id) + "." + id(name);
    }

    private long copy(LoadTable t, String copy) throws SQLException {
        List<String> all = TrinoTables.columns(c, lake, t.source());
        StringBuilder select = new StringBuilder();
        if (t.columns().isEmpty()) {
            for (String col : all) {
                select.append(select.length() == 0 ? "" : ", ").append(TrinoSql.read(col)).append(" AS ").append(id(col));
            }
        } else {
            for (ColumnMapping m : t.columns()) {
                String col = TrinoTables.find(all, m.source());
                if (col == null) {
                    throw new GranaryException(ErrorCode.TABLES_VALIDATION, "Column \"" + m.source() + "\" not found in"
                            + " table " + t.source().tableId() + ".");
                }
                select.append(select.length() == 0 ? "" : ", ").append(TrinoSql.read(col)).append(" AS ")
                        .append(id(m.destination()));
            }
        }
        if (t.timestampColumn()) {
            select.append(", CAST(").append(id(TrinoSql.TIMESTAMP)).append(" AT TIME ZONE 'UTC' AS timestamp(6)) AS ")
                    .append(id(TableBackend.TIMESTAMP_COLUMN));
        }
        String sql = "CREATE TABLE " + table(copy) + " AS SELECT " + select + " FROM "
                + lake.table(t.source().bucketId(), t.source().name()) + TrinoTables.where(all, t.selection())
                + (t.limit() != null ? " LIMIT " + t.limit() : "");
        try (Statement s = c.createStatement()) {
            return Math.max(0, s.executeLargeUpdate(sql));
        }
    }

    private void dropQuietly(List<String> copies) {
        for (String copy : copies) {
            try {
                TrinoClient.execute(c, "DROP TABLE IF EXISTS " + table(copy));
            } catch (SQLException e) {
                TrinoWorkspaceBackend.logIgnored("cannot drop the copy " + copy + " of a failed load", e);
            }
        }
    }
}
