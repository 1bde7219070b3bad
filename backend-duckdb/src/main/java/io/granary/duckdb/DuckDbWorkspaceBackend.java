package io.granary.duckdb;

import static io.granary.duckdb.DuckDbTables.lit;
import static io.granary.duckdb.DuckDbTables.q;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.Workspace;
import io.granary.core.port.WorkspaceBackend;
import io.granary.jdbc.CsvSlices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Embedded workspaces: a DuckDB database file of its own per workspace, {@code WORKSPACE_<id>.duckdb} under the data
 * directory's {@code workspaces/} (never the file that holds Storage's tables). A component opens the file itself
 * ({@code connection.database} is its absolute path, {@code schema} is {@code main}); there is no login, so host, user
 * and password are empty.
 *
 * <p>{@code readOnlyStorageAccess}: Storage's own file is open in this process only (DuckDB lets no other process open
 * a file one process writes), so such a workspace gets a read-only copy of every Storage table beside its file,
 * {@code WORKSPACE_<id>_STORAGE.duckdb} ({@code connection.storageDatabase}), with a schema per bucket as Storage has
 * them. It is made at create and made again after every load of the workspace (a new file moved into place, so a
 * component holding the old one keeps reading it), its mode read-only; a component attaches it with
 * {@code ATTACH '<storageDatabase>' AS storage (READ_ONLY)}. Being a copy, nothing done to it reaches Storage.
 *
 * <p>Granary holds a workspace file open only while a job uses it, so a component can open it between jobs; while a
 * component holds it, a job fails with {@code storage.workspaces.locked}. A load attaches the file to Storage's
 * database and copies the tables in one transaction (emptying included): it is applied whole or not at all. Reading a
 * workspace table (the columns of an unload, its rows) opens the file read-only in an instance of its own with
 * external access off, so a view a component left there can read nothing but the file itself.
 */
public final class DuckDbWorkspaceBackend implements WorkspaceBackend {

    public static final String NAME = "duckdb";

    private final DuckDbDatabase storage;
    private final Path dir;
    private final Path tempDir;
    private final long memoryLimitBytes;
    private final long sliceBytes;
    /** DuckDB must not open one file twice in a process: every use of a workspace file holds its lock. */
    private final Map<Long, ReentrantLock> locks = new ConcurrentHashMap<>();

    /**
     * @param storage          Storage's tables, which loads copy from
     * @param dir              where the workspace files live
     * @param memoryLimitBytes what the instance that reads a workspace file may use before it spills to {@code tempDir}
     */
    public DuckDbWorkspaceBackend(DuckDbDatabase storage, Path dir, Path tempDir, long memoryLimitBytes, long sliceBytes) {
        this.storage = storage;
        this.dir = dir.toAbsolutePath().normalize();
        this.tempDir = tempDir.toAbsolutePath().normalize();
        this.memoryLimitBytes = memoryLimitBytes;
        this.sliceBytes = sliceBytes;
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot create the workspace directory " + dir, e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The database file of workspace {@code id}. */
    public Path file(long id) {
        return dir.resolve(Workspace.nameOf(id) + ".duckdb");
    }

    /** The read-only copy of Storage's tables of a workspace with {@code readOnlyStorageAccess}. */
    public Path storageFile(long id) {
        return dir.resolve(Workspace.nameOf(id) + "_STORAGE.duckdb");
    }

    @Override
    public Login create(long id, Options options) {
        return locked(id, () -> {
            deleteFiles(id);
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file(id), new Properties())) {
                // an empty database: the file exists for the component to open
                c.createStatement().execute("CHECKPOINT");
            } catch (SQLException e) {
                throw engine(id, e);
            }
            if (options.readOnlyStorageAccess()) {
                try {
                    copyStorage(id);
                } catch (RuntimeException e) {
                    deleteFiles(id);
                    throw e;
                }
            }
            return new Login(connection(id, options.readOnlyStorageAccess()), "");
        });
    }

    /**
     * (Re)makes {@link #storageFile}: every Storage table (not a load's staging table) copied into a new file, which is
     * then made read-only and moved over the old copy.
     */
    private void copyStorage(long id) {
        Path target = storageFile(id);
        Path next = target.resolveSibling(target.getFileName() + ".next");
        deleteFile(next);
        String alias = "granary_storage_copy_" + id;
        try (Connection c = storage.connect(); Statement s = c.createStatement()) {
            List<String[]> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT schema_name, table_name FROM duckdb_tables()"
                    + " WHERE database_name = current_database() AND NOT internal AND NOT temporary"
                    + " AND schema_name <> 'main' AND NOT starts_with(table_name, " + lit(DuckDbTables.STAGING_PREFIX) + ")"
                    + " ORDER BY schema_name, table_name")) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            s.execute("ATTACH " + lit(next.toString()) + " AS " + q(alias));
            try {
                String schema = null;
                for (String[] t : tables) {
                    if (!t[0].equals(schema)) {
                        schema = t[0];
                        s.execute("CREATE SCHEMA " + q(alias) + "." + q(schema));
                    }
                    s.execute("CREATE TABLE " + q(alias) + "." + q(t[0]) + "." + q(t[1]) + " AS SELECT * FROM "
                            + q(t[0]) + "." + q(t[1]));
                }
            } finally {
                s.execute("DETACH " + q(alias));
            }
            try {
                Files.setPosixFilePermissions(next, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                next.toFile().setReadOnly();
            }
            Files.move(next, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (SQLException e) {
            deleteFile(next);
            throw engine(id, e);
        } catch (IOException e) {
            deleteFile(next);
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot write the copy of Storage's tables of workspace " + id
                    + ": " + e.getMessage(), e);
        }
    }

    private Map<String, String> connection(long id, boolean readOnlyStorageAccess) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("backend", NAME);
        c.put("host", "");
        c.put("port", "");
        c.put("database", file(id).toString());
        c.put("schema", "main");
        c.put("warehouse", "");
        c.put("user", "");
        c.put("storageDatabase", readOnlyStorageAccess ? storageFile(id).toString() : "");
        return c;
    }

    @Override
    public String resetPassword(long id) {
        if (!Files.exists(file(id))) {
            throw new GranaryException(ErrorCode.WORKSPACES_NOT_FOUND, "Workspace " + id + " not found");
        }
        return "";
    }

    @Override
    public void drop(long id) {
        locked(id, () -> {
            deleteFiles(id);
            return null;
        });
        locks.remove(id);
    }

    private void deleteFiles(long id) {
        Path f = file(id);
        Path copy = storageFile(id);
        for (Path p : List.of(f, f.resolveSibling(f.getFileName() + ".wal"), copy,
                copy.resolveSibling(copy.getFileName() + ".wal"), copy.resolveSibling(copy.getFileName() + ".next"),
                copy.resolveSibling(copy.getFileName() + ".next.wal"))) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new GranaryException(ErrorCode.INTERNAL, "Cannot delete the database file of workspace " + id + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private static void deleteFile(Path p) {
        try {
            Files.deleteIfExists(p);
            Files.deleteIfExists(p.resolveSibling(p.getFileName() + ".wal"));
        } catch (IOException e) {
            // a leftover .next file is replaced by the next copy and removed by drop
        }
    }

    // ---- loads

    @Override
    public List<LoadedTable> load(long id, boolean preserve, List<LoadTable> tables, JobProgress progress) {
        return locked(id, () -> {
            if (!Files.exists(file(id))) {
                throw new GranaryException(ErrorCode.WORKSPACES_NOT_FOUND, "The database file of workspace " + id
                        + " is missing: " + file(id));
            }
            String alias = "granary_ws_" + id;
            try (Connection c = storage.connect(); Statement s = c.createStatement()) {
                attach(id, s, alias);
                List<LoadedTable> loaded;
                try {
                    loaded = DuckDbWorkspaceLoad.run(c, alias, Workspace.nameOf(id), preserve, tables, progress);
                } finally {
                    s.execute("DETACH " + q(alias));
                }
                if (Files.exists(storageFile(id))) {
                    copyStorage(id); // readOnlyStorageAccess: Storage as of this load
                }
                return loaded;
            } catch (SQLException e) {
                throw engine(id, e);
            }
        });
    }

    private void attach(long id, Statement s, String alias) {
        try {
            s.execute("ATTACH " + lit(file(id).toString()) + " AS " + q(alias));
        } catch (SQLException e) {
            throw lockedOrEngine(id, e);
        }
    }

    // ---- reads

    @Override
    public List<String> columns(long id, String object) {
        return locked(id, () -> {
            try (Connection c = openReadOnly(id)) {
                return columns(c, id, object).names();
            } catch (SQLException e) {
                throw engine(id, e);
            }
        });
    }

    /** A workspace table's name and columns as the file spells them. */
    private record Found(String name, List<String> names) {
    }

    private static Found columns(Connection c, long id, String object) throws SQLException {
        String name = null;
        List<String> names = new ArrayList<>();
        // the exact name first, then one that differs only in case (DuckDB's own resolution)
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name, column_name FROM duckdb_columns()"
                + " WHERE schema_name = 'main' AND lower(table_name) = lower(?)"
                + " ORDER BY table_name <> ?, table_name, column_index")) {
            ps.setString(1, object);
            ps.setString(2, object);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (name == null) {
                        name = rs.getString(1);
                    }
                    if (name.equals(rs.getString(1))) {
                        names.add(rs.getString(2));
                    }
                }
            }
        }
        if (name == null) {
            throw notFound(id, object);
        }
        return new Found(name, names);
    }

    @Override
    public Unload export(long id, String object, List<String> columns, Path outputDir) {
        return locked(id, () -> {
            try (Connection c = openReadOnly(id); Statement s = c.createStatement()) {
                Found found = columns(c, id, object);
                StringBuilder sql = new StringBuilder("SELECT ");
                for (int i = 0; i < columns.size(); i++) {
                    sql.append(i == 0 ? "" : ", ").append("CAST(").append(q(columns.get(i))).append(" AS VARCHAR)");
                }
                sql.append(" FROM main.").append(q(found.name()));
                try (ResultSet rs = s.executeQuery(sql.toString())) {
                    CsvSlices.Written w = CsvSlices.write(rs, columns.size(), outputDir, sliceBytes);
                    return new Unload(w.slices(), w.rows(), List.copyOf(columns));
                }
            } catch (SQLException e) {
                throw engine(id, e);
            }
        });
    }

    /**
     * The workspace file alone, read-only, in an instance with no way out: no files, no extensions, no settings
     * changes. What a component stored there (views, macros) runs with nothing but the file.
     */
    private Connection openReadOnly(long id) throws SQLException {
        if (!Files.exists(file(id))) {
            throw new GranaryException(ErrorCode.WORKSPACES_NOT_FOUND, "The database file of workspace " + id
                    + " is missing: " + file(id));
        }
        Properties p = new Properties();
        p.setProperty("duckdb.read_only", "true");
        p.setProperty("jdbc_stream_results", "true");
        p.setProperty("memory_limit", Math.max(64, memoryLimitBytes >> 20) + "MiB");
        p.setProperty("temp_directory", tempDir.toString());
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        p.setProperty("enable_external_access", "false");
        p.setProperty("lock_configuration", "true");
        try {
            return DriverManager.getConnection("jdbc:duckdb:" + file(id), p);
        } catch (SQLException e) {
            throw lockedOrEngine(id, e);
        }
    }

    // ---- helpers

    private interface Work<T> {
        T run();
    }

    private <T> T locked(long id, Work<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
        lock.lock();
        try {
            return work.run();
        } finally {
            lock.unlock();
        }
    }

    static GranaryException notFound(long id, String object) {
        return new GranaryException(ErrorCode.WORKSPACE_TABLE_NOT_FOUND, "Table \"" + object + "\" not found in schema \""
                + Workspace.nameOf(id) + "\"");
    }

    private GranaryException lockedOrEngine(long id, SQLException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Could not set lock on file") || m.contains("Conflicting lock")) {
            return new GranaryException(ErrorCode.WORKSPACE_LOCKED, "The database file of workspace " + id + " is open in"
                    + " another process (" + file(id) + "); close it there and try again.", e);
        }
        return engine(id, e);
    }

    private static GranaryException engine(long id, SQLException e) {
        GranaryException g = DuckDbTables.engine(e);
        return new GranaryException(ErrorCode.INTERNAL, "Workspace " + id + ": " + g.getMessage(), e);
    }

    @Override
    public void close() {
        // nothing held open between calls
    }
}
