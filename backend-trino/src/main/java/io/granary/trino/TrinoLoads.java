package io.granary.trino;

import io.trino.jdbc.TrinoStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Running loads on Iceberg tables. Iceberg commits one statement at a time ("Catalog only supports
 * writes using autocommit"), so a load that adds columns and then merges is two commits: {@link
 * #withAddedColumns} undoes the columns when the load fails. Each commit's snapshot summary names the
 * Trino query that made it, which is how a retried job tells whether its statement already committed
 * ({@link #committedBy}).
 */
public final class TrinoLoads {

    /** A snapshot of a table: {@code queryId} is the Trino query that committed it, which added {@code addedRows}. */
    public record Snapshot(long id, String operation, String queryId, long addedRows) {
    }

    private TrinoLoads() {
    }

    /**
     * Runs one statement; {@code queryId} hears the Trino query id as soon as Trino assigned it (before
     * the statement commits), so a caller can record it first. Returns the update count.
     */
    public static long execute(Connection c, String sql, Consumer<String> queryId) throws SQLException {
        try (Statement s = c.createStatement()) {
            AtomicReference<String> seen = new AtomicReference<>();
            s.unwrap(TrinoStatement.class).setProgressMonitor(stats -> {
                if (seen.compareAndSet(null, stats.getQueryId())) {
                    queryId.accept(stats.getQueryId());
                }
            });
            s.execute(sql);
            return Math.max(0, s.getLargeUpdateCount());
        }
    }

    /**
     * Adds {@code newColumns} (each its own commit), then runs {@code load}; when the load fails the added
     * columns are dropped again, newest first, so the table's schema is as before, and the load's error is
     * thrown (with any failure to undo attached as suppressed). A failure may come after the commit (the
     * connection broke): {@code committed} tells, once the load has failed, whether it committed after all and
     * how many rows; then that is the result and nothing is undone.
     */
    public static long withAddedColumns(Connection c, String table, List<String> newColumns, String load,
            Consumer<String> queryId, Supplier<Optional<Long>> committed) throws SQLException {
        List<String> added = new ArrayList<>();
        try {
            for (String column : newColumns) {
                execute(c, TrinoSql.addColumn(table, column), id -> { });
                added.add(column);
            }
            try {
                return execute(c, load, queryId);
            } catch (SQLException | RuntimeException e) {
                Optional<Long> rows = committed.get();
                if (rows.isPresent()) {
                    return rows.get();
                }
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            boolean interrupted = Thread.interrupted();
            for (int i = added.size() - 1; i >= 0; i--) {
                try {
                    execute(c, TrinoSql.dropColumn(table, added.get(i)), id -> { });
                } catch (SQLException | RuntimeException undo) {
                    e.addSuppressed(undo);
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    /** The table's snapshots, oldest first. */
    public static List<Snapshot> snapshots(Connection c, String catalog, String bucketId, String tableName) throws SQLException {
        List<Snapshot> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(TrinoSql.snapshots(catalog, bucketId, tableName))) {
            while (r.next()) {
                String added = r.getString(5);
                out.add(new Snapshot(r.getLong(1), r.getString(3), r.getString(4), added == null ? 0 : Long.parseLong(added)));
            }
        }
        return out;
    }

    /** The snapshot that query {@code queryId} committed, if it committed one. */
    public static Optional<Snapshot> committedBy(Connection c, String catalog, String bucketId, String tableName,
            String queryId) throws SQLException {
        return snapshots(c, catalog, bucketId, tableName).stream().filter(s -> queryId.equals(s.queryId())).findFirst();
    }

    /**
     * Queries still running or queued that were sent with JDBC property {@code source} = {@code source}:
     * a retried job names its attempts' connections after its load id, finds an earlier attempt still
     * running here, and kills it before it looks at the snapshots.
     */
    public static List<String> runningFrom(Connection c, String source) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (var s = c.prepareStatement("SELECT query_id FROM system.runtime.queries WHERE state NOT IN ('FINISHED', 'FAILED')"
                + " AND source = ?")) {
            s.setString(1, source);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
        }
        return ids;
    }

    /** Every query Trino still remembers (running or ended) that was sent with JDBC property {@code source}. */
    public static List<String> queriesFrom(Connection c, String source) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (var s = c.prepareStatement("SELECT query_id FROM system.runtime.queries WHERE source = ?")) {
            s.setString(1, source);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
        }
        return ids;
    }

    /** Asks Trino to kill a query (an earlier attempt of a retried job). */
    public static void kill(Connection c, String queryId, String why) throws SQLException {
        try (var s = c.prepareStatement("CALL system.runtime.kill_query(query_id => ?, message => ?)")) {
            s.setString(1, queryId);
            s.setString(2, why);
            s.execute();
        }
    }
}
