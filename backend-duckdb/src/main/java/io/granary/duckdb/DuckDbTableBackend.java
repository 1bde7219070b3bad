package io.granary.duckdb;

import static io.granary.duckdb.DuckDbTables.engine;
import static io.granary.duckdb.DuckDbTables.find;
import static io.granary.duckdb.DuckDbTables.lit;
import static io.granary.duckdb.DuckDbTables.name;
import static io.granary.duckdb.DuckDbTables.q;

import io.granary.core.error.ErrorCode;
import io.granary.core.error.GranaryException;
import io.granary.core.job.JobProgress;
import io.granary.core.model.FileType;
import io.granary.core.model.TableRef;
import io.granary.core.port.TableBackend;
import io.granary.core.port.ExportTarget;
import io.granary.core.util.SlicePipeline;
import io.granary.jdbc.SqlValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Table rows in DuckDB: one schema per bucket (named by the bucket id), one table per table, every
 * visible column {@code VARCHAR} and a hidden {@code _timestamp TIMESTAMP} (UTC) last.
 *
 * <p>Loads ({@link DuckDbLoad}) stream the files through DuckDB's own CSV reader into a private staging
 * table, then change the target in one transaction, so a failed load leaves the table as it was. Exports
 * ({@link DuckDbExport}) stream through {@code COPY ... TO}. Each call uses its own connection, so calls for
 * different tables run in parallel.
 *
 * <p>{@link LoadResult#loadedRows()} counts the rows this load put into the table: rows read from the
 * files after de-duplication by primary key. {@link TableStats#bytes()} is the sum of the UTF-8 byte
 * lengths of all visible values (the size of the data, not of DuckDB's compressed storage).
 */
public final class DuckDbTableBackend implements TableBackend {

    /**
     * Default DuckDB memory limit. DuckDB keeps table blocks it has read or written cached up to this limit, so
     * it is what the server's native memory grows to; loads and exports stream, spilling beyond it.
     */
    public static final long DEFAULT_MEMORY_LIMIT = 512L << 20;
    /** Default size after which an unordered export starts a new slice. */
    public static final long DEFAULT_SLICE_BYTES = 256L << 20;

    private final DuckDbDatabase database;
    private final boolean ownsDatabase;
    private final long sliceBytes;
    private final long memoryLimitBytes;
    private final Object schemaLock = new Object();
    private final ExecutorService verifier = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gzip-verify");
        t.setDaemon(true);
        return t;
    });
    private final SlicePipeline pipeline = new SlicePipeline();
    /** Where loads gunzip into named pipes; null where the machine makes none (DuckDB inflates, Java checks beside). */
    private volatile Path pipeDir;

    /** Tables in {@code database}; DuckDB spills to {@code tempDir}; {@link #DEFAULT_MEMORY_LIMIT}. */
    public DuckDbTableBackend(DuckDbDatabase database, Path tempDir) {
        this(database, tempDir, DEFAULT_MEMORY_LIMIT, DEFAULT_SLICE_BYTES);
    }

    /**
     * @param memoryLimitBytes DuckDB's memory limit (beyond it, DuckDB spills to {@code tempDir})
     * @param sliceBytes       about how big an unordered export slice gets before the next one starts
     */
    public DuckDbTableBackend(DuckDbDatabase database, Path tempDir, long memoryLimitBytes, long sliceBytes) {
        this(database, false, tempDir, memoryLimitBytes, sliceBytes);
    }

    private DuckDbTableBackend(DuckDbDatabase database, boolean ownsDatabase, Path tempDir, long memoryLimitBytes,
            long sliceBytes) {
        this.database = database;
        this.ownsDatabase = ownsDatabase;
        this.sliceBytes = sliceBytes;
        this.memoryLimitBytes = Math.max(1, memoryLimitBytes >> 20) << 20;
        try {
            Files.createDirectories(tempDir);
        } catch (IOException e) {
            close();
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot create temporary directory " + tempDir, e);
        }
        Path pipes = tempDir.resolve("pipes");
        this.pipeDir = GzipPipes.available(pipes) ? pipes : null;
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("SET GLOBAL memory_limit = " + lit(Math.max(1, memoryLimitBytes >> 20) + "MiB"));
            s.execute("SET GLOBAL temp_directory = " + lit(tempDir.toAbsolutePath().toString()));
            s.execute("SET GLOBAL preserve_insertion_order = true");
            s.execute("CREATE TABLE IF NOT EXISTS " + DuckDbTables.LOADS + " (table_id VARCHAR NOT NULL,"
                    + " load_id VARCHAR NOT NULL, loaded_rows BIGINT NOT NULL, added_columns VARCHAR NOT NULL,"
                    + " PRIMARY KEY (table_id, load_id))");
            dropLeftoverStaging(s);
        } catch (SQLException e) {
            close();
            throw engine(e);
        }
    }

    /** Tables in their own database {@code file}, which {@link #close()} closes. */
    public static DuckDbTableBackend open(Path file, Path tempDir, long memoryLimitBytes, long sliceBytes) {
        DuckDbDatabase database = new DuckDbDatabase(file);
        try {
            return new DuckDbTableBackend(database, true, tempDir, memoryLimitBytes, sliceBytes);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** DuckDB's buffer manager by tag ({@code duckdb_memory()}): a catalog read on its own connection. */
    @Override
    public Optional<EngineMemory> memory() {
        Map<String, Long> used = new TreeMap<>();
        Map<String, Long> temporary = new TreeMap<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory()")) {
            while (rs.next()) {
                used.put(rs.getString(1), rs.getLong(2));
                temporary.put(rs.getString(1), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw engine(e);
        }
        return Optional.of(new EngineMemory(memoryLimitBytes, used, temporary));
    }

    /** Loads from now on read gzip files as a machine without mkfifo does (for tests of that path). */
    void withoutPipes() {
        pipeDir = null;
    }

    /** The database the tables are in (workspaces on this engine copy from it). */
    DuckDbDatabase database() {
        return database;
    }

    // a process killed mid-load leaves its committed staging table behind: it is never part of a table
    private static void dropLeftoverStaging(Statement s) throws SQLException {
        List<String> leftovers = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT schema_name, table_name FROM duckdb_tables() WHERE table_name LIKE '"
                + DuckDbTables.STAGING_PREFIX.replace("_", "\\_") + "%' ESCAPE '\\'")) {
            while (rs.next()) {
                leftovers.add(q(rs.getString(1)) + "." + q(rs.getString(2)));
            }
        }
        for (String table : leftovers) {
            s.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    // ---- tables

    @Override
    public void createTable(TableRef table, List<String> columns) {
        DuckDbTables.checkNewColumns(columns);
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            if (DuckDbTables.exists(c, table)) {
                throw DuckDbTables.alreadyExists(table);
            }
            synchronized (schemaLock) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + q(table.bucketId()));
            }
            try {
                s.execute(DuckDbTables.createTable(name(table), columns));
            } catch (SQLException e) {
                if (DuckDbTables.exists(c, table)) {
                    throw DuckDbTables.alreadyExists(table);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public void dropTable(TableRef table) {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            if (DuckDbTables.schemaExists(c, table.bucketId())) {
                s.execute("DROP TABLE IF EXISTS " + name(table));
            }
            try (PreparedStatement forget = c.prepareStatement("DELETE FROM " + DuckDbTables.LOADS + " WHERE table_id = ?")) {
                forget.setString(1, table.tableId());
                forget.executeUpdate();
            }
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public boolean exists(TableRef table) {
        try (Connection c = database.connect()) {
            return DuckDbTables.exists(c, table);
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public List<String> columns(TableRef table) {
        try (Connection c = database.connect()) {
            return DuckDbTables.columns(c, table);
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public void addColumn(TableRef table, String column) {
        DuckDbTables.checkNewColumns(List.of(column));
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            if (find(DuckDbTables.columns(c, table), column) != null) {
                throw new GranaryException(ErrorCode.COLUMN_ALREADY_EXISTS,
                        "Column \"" + column + "\" already exists in table \"" + table.tableId() + "\".");
            }
            s.execute("ALTER TABLE " + name(table) + " ADD COLUMN " + q(column) + " VARCHAR DEFAULT ''");
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public void dropColumn(TableRef table, String column) {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            String existing = find(DuckDbTables.columns(c, table), column);
            if (existing == null) {
                throw new GranaryException(ErrorCode.TABLES_VALIDATION,
                        "Column \"" + column + "\" not found in table \"" + table.tableId() + "\".");
            }
            s.execute("ALTER TABLE " + name(table) + " DROP COLUMN " + q(existing));
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public TableStats stats(TableRef table) {
        try (Connection c = database.connect()) {
            return DuckDbTables.stats(c, table, DuckDbTables.columns(c, table));
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    // ---- load and export

    @Override
    public LoadResult load(TableRef table, LoadRequest request, JobProgress progress) {
        DuckDbTables.checkNewColumns(request.fileColumns());
        try (Connection c = database.connect()) {
            return new DuckDbLoad(c, table, request, progress, verifier, pipeDir).run();
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    /** CSV and Parquet. */
    @Override
    public boolean exports(FileType type) {
        return type == FileType.CSV || type == FileType.PARQUET;
    }

    @Override
    public ExportResult export(TableRef table, ExportRequest request, ExportTarget target) {
        try (Connection c = database.connect()) {
            return DuckDbExport.run(c, table, request, target, sliceBytes, pipeline);
        } catch (SQLException e) {
            throw engine(e);
        } catch (IOException e) {
            throw new GranaryException(ErrorCode.INTERNAL, "Cannot write the export: " + e.getMessage(), e);
        }
    }

    // ---- rows

    @Override
    public List<List<String>> preview(TableRef table, List<String> columns, RowSelection selection, int limit) {
        try (Connection c = database.connect()) {
            List<String> all = DuckDbTables.columns(c, table);
            List<String> picked = DuckDbTables.pick(all, columns);
            SqlValues values = SqlValues.parameters(DuckDbTables.DIALECT);
            String sql = "SELECT " + DuckDbTables.list(picked) + " FROM " + name(table)
                    + DuckDbTables.where(all, selection, values) + " LIMIT " + Math.max(0, limit);
            List<List<String>> rows = new ArrayList<>();
            try (PreparedStatement ps = values.bind(c.prepareStatement(sql)); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> row = new ArrayList<>(picked.size());
                    for (int i = 1; i <= picked.size(); i++) {
                        String v = rs.getString(i);
                        row.add(v == null ? "" : v);
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public long deleteRows(TableRef table, RowSelection selection) {
        try (Connection c = database.connect()) {
            List<String> all = DuckDbTables.columns(c, table);
            SqlValues values = SqlValues.parameters(DuckDbTables.DIALECT);
            String sql = "DELETE FROM " + name(table) + DuckDbTables.where(all, selection, values);
            try (PreparedStatement ps = values.bind(c.prepareStatement(sql))) {
                return ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw engine(e);
        }
    }

    @Override
    public void close() {
        pipeline.close();
        verifier.shutdownNow();
        try {
            verifier.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsDatabase) {
            database.close();
        }
    }
}
