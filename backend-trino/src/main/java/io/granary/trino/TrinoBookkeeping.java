package io.granary.trino;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.granary.core.util.JsonLists;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * What the Trino backend records in Granary's PostgreSQL database, which every node shares: the fingerprint
 * of each Trino catalog it created, its load records (a retried job's load is applied once), and a lock per
 * table that keeps background maintenance and writes to the same table apart across all nodes (an Iceberg
 * compaction committing between a load's read and its commit would make the load fail). Opening it brings
 * its tables, and Iceberg's JDBC catalog tables, up to date with Flyway.
 */
final class TrinoBookkeeping implements AutoCloseable {

    /** A load as recorded: {@code running} until its statement committed, then {@code done}. */
    record LoadRecord(String state, String source, String queryId, long loadedRows, List<String> addedColumns) {
        boolean done() {
            return "done".equals(state);
        }
    }

    /** A held table lock; closing it releases the lock. */
    interface TableLock extends AutoCloseable {
        @Override
        void close();
    }

    private static final String LOCK_KEY = "hashtextextended('granary.trino:' || ?, 0)";

    private final HikariDataSource pool;

    private TrinoBookkeeping(HikariDataSource pool) {
        this.pool = pool;
    }

    static TrinoBookkeeping open(String url, String user, String password, int poolSize) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(Math.max(2, poolSize));
        hikari.setPoolName("granary-trino-bookkeeping");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalStateException("Cannot connect to PostgreSQL at " + url + " as " + user + ": "
                    + cause.getMessage(), e);
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:io/granary/trino/migration")
                    .table("granary_trino_schema_history").baselineOnMigrate(true).baselineVersion("0")
                    .load().migrate();
            return new TrinoBookkeeping(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    Connection connect() throws SQLException {
        return pool.getConnection();
    }

    // ---- catalogs

    Optional<String> fingerprint(String catalog) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT fingerprint FROM trino_catalogs WHERE name = ?")) {
            ps.setString(1, catalog);
            try (ResultSet r = ps.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    void recordFingerprint(String catalog, String fingerprint) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO trino_catalogs (name, fingerprint)"
                + " VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET fingerprint = EXCLUDED.fingerprint")) {
            ps.setString(1, catalog);
            ps.setString(2, fingerprint);
            ps.executeUpdate();
        }
    }

    // ---- loads

    Optional<LoadRecord> findLoad(String tableId, String loadId) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT state, source, query_id, loaded_rows,"
                + " added_columns FROM trino_loads WHERE table_id = ? AND load_id = ?")) {
            ps.setString(1, tableId);
            ps.setString(2, loadId);
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new LoadRecord(r.getString(1), r.getString(2), r.getString(3), r.getLong(4),
                        JsonLists.decode(r.getString(5))));
            }
        }
    }

    /** Records a load about to run its statement, replacing an earlier attempt's record. */
    void startLoad(String tableId, String loadId, String source, long rows, List<String> addedColumns) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO trino_loads (table_id, load_id,"
                + " state, source, loaded_rows, added_columns) VALUES (?, ?, 'running', ?, ?, ?) ON CONFLICT (table_id, load_id)"
                + " DO UPDATE SET state = 'running', source = EXCLUDED.source, query_id = NULL,"
                + " loaded_rows = EXCLUDED.loaded_rows, added_columns = EXCLUDED.added_columns, updated_at = now()")) {
            ps.setString(1, tableId);
            ps.setString(2, loadId);
            ps.setString(3, source);
            ps.setLong(4, rows);
            ps.setString(5, JsonLists.encode(addedColumns));
            ps.executeUpdate();
        }
    }

    void recordQueryId(String tableId, String loadId, String queryId) throws SQLException {
        update("UPDATE trino_loads SET query_id = ?, updated_at = now() WHERE table_id = ? AND load_id = ?", queryId, tableId,
                loadId);
    }

    void finishLoad(String tableId, String loadId, long loadedRows) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("UPDATE trino_loads SET state = 'done',"
                + " loaded_rows = ?, updated_at = now() WHERE table_id = ? AND load_id = ?")) {
            ps.setLong(1, loadedRows);
            ps.setString(2, tableId);
            ps.setString(3, loadId);
            ps.executeUpdate();
        }
    }

    void forgetLoad(String tableId, String loadId) throws SQLException {
        update("DELETE FROM trino_loads WHERE table_id = ? AND load_id = ?", tableId, loadId);
    }

    void forgetTable(String tableId) throws SQLException {
        update("DELETE FROM trino_loads WHERE table_id = ?", tableId);
    }

    /** How many loads are recorded as done (for tests). */
    long doneLoads() throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM trino_loads WHERE state = 'done'"); ResultSet r = ps.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    // ---- maintenance

    /**
     * Claims the catalog's maintenance pass unless a node ran one less than {@code minGap} ago: true when this
     * node should run it now (the time is recorded at once, so other nodes skip).
     */
    boolean claimMaintenance(String catalog, Duration minGap) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO trino_maintenance (catalog,"
                + " last_run) VALUES (?, now()) ON CONFLICT (catalog) DO UPDATE SET last_run = now()"
                + " WHERE trino_maintenance.last_run < now() - make_interval(secs => ?)")) {
            ps.setString(1, catalog);
            ps.setDouble(2, minGap.toMillis() / 1000.0);
            return ps.executeUpdate() > 0;
        }
    }

    // ---- locks

    /**
     * Waits for the table's lock (held by maintenance, on any node, at most for one compaction). {@code table} is
     * the table's qualified Trino name, which maintenance knows too.
     */
    TableLock lock(String table) throws SQLException {
        Connection c = connect();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(" + LOCK_KEY + ")")) {
            ps.setString(1, table);
            ps.execute();
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return () -> unlock(c, table);
    }

    /** The table's lock if nobody holds it. */
    Optional<TableLock> tryLock(String table) throws SQLException {
        Connection c = connect();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
            ps.setString(1, table);
            try (ResultSet r = ps.executeQuery()) {
                r.next();
                if (r.getBoolean(1)) {
                    return Optional.of(() -> unlock(c, table));
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return Optional.empty();
    }

    private void unlock(Connection c, String table) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(" + LOCK_KEY + ")")) {
            ps.setString(1, table);
            ps.execute();
            c.close();
        } catch (SQLException e) {
            // out of the pool: ending the session releases the lock
            pool.evictConnection(c);
        }
    }

    private void update(String sql, String... values) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
